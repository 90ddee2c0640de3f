/**
 * The one error family. Every expected failure is an {@linkcode AppError}: an HTTP status, a
 * stable machine-readable `code`, a message a person can read, and typed extras (a retry
 * delay, the allowed methods, the scopes a bearer challenge names). Thrown where it happens;
 * each surface maps the family once, next to itself (docs/api.md, "Errors"):
 * REST JSON (`jsonErrorResponse`, lib/http/errors.ts), HTML pages (lib/pages/error_pages.ts),
 * OAuth JSON and redirects (lib/oauth/errors.ts), MCP JSON-RPC and tool results
 * (lib/mcp/errors.ts). Anything else is unexpected: logged once and answered as a 500.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error caused by the client or by a known condition; see the module comment. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Response headers this error implies on every surface (`Retry-After`, `Allow`, ...). */
  responseHeaders(): Record<string, string> {
    return {};
  }
}

/** 400: input that fails validation. */
export class ValidationError extends AppError {
  constructor(message: string) {
    super(400, "invalid_request", message);
  }
}

/** 400: a request body that is not JSON at all (JSON-RPC's "Parse error" on `/mcp`). */
export class InvalidJsonError extends ValidationError {}

/** 400: a bearer token sent the wrong way (RFC 6750 `invalid_request`, e.g. in the URL). */
export class BearerRequestError extends AppError {
  constructor(message: string) {
    super(400, "invalid_request", message);
  }
}

/** 401: no valid credentials. */
export class UnauthorizedError extends AppError {
  constructor(message = "Sign in required.") {
    super(401, "unauthorized", message);
  }
}

/** 401: a token that is malformed, expired, unsigned or meant for someone else (RFC 6750). */
export class InvalidTokenError extends AppError {
  constructor(message: string) {
    super(401, "invalid_token", message);
  }
}

/** 403: credentials are valid but the action is not allowed. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, "forbidden", message);
  }
}

/** 403: the token is valid but lacks a scope the request needs (RFC 6750 `insufficient_scope`). */
export class InsufficientScopeError extends AppError {
  /**
   * @param missing the scopes the token lacks, named in the message
   * @param challengeScopes the scopes a client should ask for to go on: the ones needed plus
   *   those of this server it already holds, so that stepping up loses nothing
   */
  constructor(readonly missing: string[], readonly challengeScopes: string[]) {
    super(
      403,
      "insufficient_scope",
      `This request needs the ${missing.join(" and ")} scope${missing.length > 1 ? "s" : ""}.`,
    );
  }
}

/** 404: the named thing does not exist (for this user). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, "not_found", message);
  }
}

/** 405: the path exists but not for this method; `allow` lists the methods that work. */
export class MethodNotAllowedError extends AppError {
  constructor(message: string, readonly allow: string[]) {
    super(405, "method_not_allowed", message);
  }

  override responseHeaders(): Record<string, string> {
    return { Allow: this.allow.join(", ") };
  }
}

/** 409: a limit or concurrent change prevents the write. */
export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

/** 409: a read-modify-write lost to concurrent writes too many times (lib/kv/retry.ts). */
export class WriteConflictError extends ConflictError {
  constructor(readonly what: string) {
    super(
      "write_conflict",
      `${what[0].toUpperCase()}${what.slice(1)} changed too many times at once; try again.`,
    );
  }
}

/** 413: request body too large. */
export class PayloadTooLargeError extends AppError {
  constructor(readonly limitBytes: number) {
    super(413, "payload_too_large", `Request body exceeds ${limitBytes} bytes.`);
  }
}

/** 415: request body is not of an accepted media type. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(readonly expected: string) {
    super(415, "unsupported_media_type", `Content-Type must be ${expected}.`);
  }
}

/** 429: one client sent more of these requests than its limit allows (lib/http/rate_limit.ts). */
export class TooManyRequestsError extends AppError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(429, "rate_limited", message);
  }

  override responseHeaders(): Record<string, string> {
    return { "Retry-After": String(this.retryAfterSeconds) };
  }
}

/**
 * 500: anything unexpected, after it was logged; the message and `X-Request-Id` name only the
 * id it was logged under.
 */
export class InternalError extends AppError {
  constructor(readonly requestId: string) {
    super(500, "internal_error", `Something went wrong on our side (request ${requestId}).`);
  }

  override responseHeaders(): Record<string, string> {
    return { "X-Request-Id": this.requestId };
  }
}

/** 503: a dependency (e.g. Stytch) could not be reached. */
export class ServiceUnavailableError extends AppError {
  /**
   * @param retryAfterSeconds sent as `Retry-After`
   * @param retryTo the same-origin path a page's "Try again" link goes to (what the person
   *   asked for), when a page request met the outage
   */
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
    readonly retryTo?: string,
  ) {
    super(503, "service_unavailable", message);
  }

  override responseHeaders(): Record<string, string> {
    return this.retryAfterSeconds === undefined
      ? {}
      : { "Retry-After": String(this.retryAfterSeconds) };
  }
}

/** Why the store cannot serve: what {@linkcode StorageError} carries (lib/kv/faults.ts). */
export type StorageFault = "full" | "read_only" | "corrupt" | "lost" | "unavailable" | "busy";

/**
 * 503: the store cannot read or keep data (a full disk, a read-only or corrupt KV file, a data
 * folder deleted while the app runs). Nothing of the request was kept. `advice` tells the
 * operator what to do; it is logged, never sent to the client.
 */
export class StorageError extends ServiceUnavailableError {
  constructor(readonly fault: StorageFault, readonly advice: string) {
    super(
      "The server cannot store data right now; nothing was saved. Try again later.",
      STORAGE_RETRY_AFTER_SECONDS,
    );
  }
}

/** The `Retry-After` of a {@linkcode StorageError}: an operator has to act, so not soon. */
export const STORAGE_RETRY_AFTER_SECONDS = 60;

/** An RFC 6749 error code, or one of its registered extensions (RFC 7591, RFC 8707, OIDC). */
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

/** Extra headers an OAuth refusal carries (RFC 6749 §5.2's Basic challenge, a retry delay). */
export interface OAuthErrorHeaders {
  "WWW-Authenticate"?: string;
  "Retry-After"?: string;
}

/**
 * A refusal at the OAuth server's endpoints in RFC 6749 terms; `code` is the RFC's error code.
 * Status: 401 for `invalid_client`, 500 for `server_error`, else 400, unless given.
 */
export class OAuthError extends AppError {
  constructor(
    code: OAuthErrorCode,
    description: string,
    status?: ContentfulStatusCode,
    readonly headers: Readonly<OAuthErrorHeaders> = {},
  ) {
    super(
      status ?? (code === "invalid_client" ? 401 : code === "server_error" ? 500 : 400),
      code,
      description,
    );
  }

  declare readonly code: OAuthErrorCode;

  override responseHeaders(): Record<string, string> {
    return { ...this.headers } as Record<string, string>;
  }
}

/**
 * 400: an authorization request whose client or redirect URI cannot be trusted: RFC 6749
 * §4.1.2.1 forbids redirecting, so the consent page shows the message instead.
 */
export class AuthorizePageError extends ValidationError {}
