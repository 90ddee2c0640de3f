/**
 * The OAuth surface's error mapping (RFC 6749 §4.1.2.1 and §5.2, RFC 7591 §3.2.2): any member
 * of the error family (lib/errors.ts) becomes an RFC 6749 error code and description, sent
 * as the JSON body `{error, error_description}` by the server's endpoints
 * ({@linkcode handleOAuthError}) or as query parameters of a redirect to a verified
 * `redirect_uri` (`errorRedirect`, lib/oauth/authorize.ts). An `OAuthError` keeps its code;
 * a rate limit or an outage is `temporarily_unavailable`; a lost write race or an unexpected
 * error is `server_error`; any other client mistake is `invalid_request`.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  AppError,
  InternalError,
  OAuthError,
  type OAuthErrorCode,
  ServiceUnavailableError,
  TooManyRequestsError,
  WriteConflictError,
} from "../errors.ts";
import type { AppEnv } from "../http/context.ts";
import { errorHeaders, toAppError } from "../http/errors.ts";

export { AuthorizePageError, OAuthError, type OAuthErrorCode } from "../errors.ts";

/** The RFC 6749 fields of an error, for a JSON body or a redirect's query. */
export interface OAuthErrorFields {
  error: OAuthErrorCode;
  error_description: string;
}

/** The RFC 6749 code and HTTP status a family member has on the OAuth surface. */
export function oauthCodeOf(
  error: AppError,
): { code: OAuthErrorCode; status: ContentfulStatusCode } {
  if (error instanceof OAuthError) return { code: error.code, status: error.status };
  // RFC 6749 and RFC 7591 name no rate-limit error: `temporarily_unavailable` (the server
  // cannot take the request now), with the 429 status and Retry-After saying why and when.
  if (error instanceof TooManyRequestsError || error instanceof ServiceUnavailableError) {
    return { code: "temporarily_unavailable", status: error.status };
  }
  if (error instanceof WriteConflictError || error instanceof InternalError) {
    return { code: "server_error", status: 500 };
  }
  if (error.status >= 500) return { code: "server_error", status: error.status };
  return { code: "invalid_request", status: error.status };
}

/** The RFC 6749 fields of `error`, its description in the characters §5.2 allows. */
export function oauthErrorFields(error: AppError): OAuthErrorFields {
  return { error: oauthCodeOf(error).code, error_description: errorDescription(error.message) };
}

/**
 * Hono `onError` for the server's JSON endpoints (registration, token): the RFC 6749 §5.2 body
 * with the error's status and headers; never cached, like every token response (§5.1).
 */
export function handleOAuthError(error: Error, c: Context<AppEnv>): Response {
  const known = toAppError(error, c);
  return c.json(oauthErrorFields(known), oauthCodeOf(known).status, {
    ...errorHeaders(known),
    "Cache-Control": "no-store",
    Pragma: "no-cache",
  });
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
