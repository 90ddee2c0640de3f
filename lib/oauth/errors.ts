/**
 * OAuth protocol errors (RFC 6749 §5.2, RFC 7591 §3.2.2), thrown where they happen and
 * answered by the one error mapper (`lib/http/errors.ts`) as `{error, error_description}`.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An RFC 6749 error code, or one of its registered extensions. */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_target"
  | "invalid_redirect_uri"
  | "invalid_client_metadata"
  | "access_denied"
  | "login_required"
  | "consent_required"
  | "unsupported_response_type"
  | "server_error"
  | "temporarily_unavailable";

/** A client's mistake (or a refused grant) at an OAuth endpoint, in RFC 6749 terms. */
export class OAuthError extends Error {
  readonly status: ContentfulStatusCode;
  /**
   * @param headers extra response headers, e.g. the `WWW-Authenticate` challenge RFC 6749 §5.2
   *   requires on a 401 `invalid_client` when the client authenticated with a header
   */
  constructor(
    readonly code: OAuthErrorCode,
    description: string,
    status?: ContentfulStatusCode,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(errorDescription(description));
    this.name = "OAuthError";
    this.status = status ?? (code === "invalid_client" ? 401 : code === "server_error" ? 500 : 400);
  }

  /** The RFC 6749 §5.2 body. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.message };
  }
}

/** Longest `error_description` sent; longer ones (echoing a client's input) are cut. */
export const MAX_ERROR_DESCRIPTION_LENGTH = 300;

/**
 * `text` in the characters RFC 6749 §5.2 allows in `error_description` (printable ASCII without
 * `"` and `\`): double quotes become single ones, anything else outside the set is dropped.
 */
export function errorDescription(text: string): string {
  const allowed = text.replaceAll('"', "'").replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, "");
  return allowed.length <= MAX_ERROR_DESCRIPTION_LENGTH
    ? allowed
    : `${allowed.slice(0, MAX_ERROR_DESCRIPTION_LENGTH - 3)}...`;
}

/**
 * The authorization request names an unknown client or a redirect URI it did not register:
 * RFC 6749 §4.1.2.1 forbids redirecting, so the page shows this message instead.
 */
export class AuthorizePageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthorizePageError";
  }
}
