/**
 * The one place errors become responses. Handlers throw typed errors
 * (`lib/errors.ts`); this maps them to `{error: {code, message}}` JSON with their status.
 * Page requests (`Accept: text/html`, outside `/api` and `/mcp`) get an HTML error page.
 * Anything unexpected is logged with the request id (never the request's credentials)
 * and answered with a generic 500.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, TooManyRequestsError } from "../errors.ts";
import { OAuthError } from "../oauth/errors.ts";
import { errorPageResponse, wantsHtml } from "../pages/error_page.ts";
import { BearerRequestError, InsufficientScopeError } from "./bearer.ts";
import { InvalidTokenError } from "../auth/jwt.ts";
import type { AppEnv, BearerChallenge } from "./context.ts";

/** Error body shape of every JSON error response. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** Hono `onError` handler. */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof TooManyRequestsError && isOAuthEndpoint(c.req.path)) {
    // RFC 6749 and RFC 7591 name no rate-limit error: `temporarily_unavailable` (the server
    // cannot take the request now) with the 429 status and Retry-After saying why and when.
    return handleError(
      new OAuthError("temporarily_unavailable", error.message, 429, retryAfter(error)),
      c,
    );
  }
  if (error instanceof OAuthError) {
    // RFC 6749 §5.2 body; token responses, errors included, are never cached (§5.1).
    return c.json(error.toJSON(), error.status, {
      ...error.headers,
      "Cache-Control": "no-store",
      Pragma: "no-cache",
    });
  }
  if (error instanceof AppError) {
    const headers: Record<string, string> = retryAfter(error);
    if (wantsHtml(c.req.raw)) {
      const page = errorPageResponse(error.status, error.message);
      for (const [name, value] of Object.entries(headers)) page.headers.set(name, value);
      return page;
    }
    if (error.status === 401 || error.status === 403) headers["Cache-Control"] = "no-store";
    const challenge = bearerChallengeHeader(error, c.get("bearerChallenge"));
    if (challenge) headers["WWW-Authenticate"] = challenge;
    return c.json<ErrorBody>(
      { error: { code: error.code, message: error.message } },
      error.status,
      headers,
    );
  }
  if (error instanceof HTTPException && error.status < 500) {
    if (wantsHtml(c.req.raw)) {
      return errorPageResponse(error.status, error.message || "Bad request.");
    }
    return c.json<ErrorBody>(
      {
        error: {
          code: codeForStatus(error.status),
          message: error.message || "Bad request.",
        },
      },
      error.status as ContentfulStatusCode,
    );
  }
  console.error(
    `[${c.get("requestId") ?? "-"}] ${c.req.method} ${new URL(c.req.url).pathname}:`,
    error,
  );
  if (wantsHtml(c.req.raw)) return errorPageResponse(500, "Something went wrong on our side.");
  return c.json<ErrorBody>(
    { error: { code: "internal_error", message: "Something went wrong on our side." } },
    500,
  );
}

/** The OAuth server's JSON endpoints (not the consent page): errors there are RFC 6749 bodies. */
function isOAuthEndpoint(path: string): boolean {
  return path.startsWith("/oauth/") && path !== "/oauth/authorize";
}

/** The `Retry-After` header of a rate-limit refusal; none for other errors. */
function retryAfter(error: AppError): Record<string, string> {
  return error instanceof TooManyRequestsError
    ? { "Retry-After": String(error.retryAfterSeconds) }
    : {};
}

/** Hono `notFound` handler. */
export function handleNotFound(c: Context<AppEnv>): Response {
  if (wantsHtml(c.req.raw)) return errorPageResponse(404, `Nothing here at ${c.req.path}.`);
  return c.json<ErrorBody>(
    { error: { code: "not_found", message: `No route for ${c.req.method} ${c.req.path}.` } },
    404,
  );
}

function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return "invalid_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 415:
      return "unsupported_media_type";
    default:
      return "bad_request";
  }
}

/**
 * RFC 6750 §3 challenge for an error on a bearer-protected route (`bearerChallenge` set):
 * no error code when credentials are missing, else `invalid_request`, `invalid_token` or
 * `insufficient_scope` (with the scopes to ask for). `null` elsewhere.
 */
export function bearerChallengeHeader(
  error: AppError,
  challenge: BearerChallenge | undefined,
): string | null {
  if (!challenge) return null;
  const params: [string, string][] = [];
  if (error instanceof BearerRequestError) params.push(["error", "invalid_request"]);
  else if (error instanceof InvalidTokenError) params.push(["error", "invalid_token"]);
  else if (error instanceof InsufficientScopeError) params.push(["error", "insufficient_scope"]);
  else if (error.status !== 401) return null;
  if (params.length > 0) params.push(["error_description", error.message]);
  params.push(["resource_metadata", challenge.resourceMetadata]);
  params.push([
    "scope",
    error instanceof InsufficientScopeError ? error.challengeScopes.join(" ") : challenge.scope,
  ]);
  // Quoted-string values: drop what a quoted-string cannot carry rather than escape it.
  return "Bearer " +
    params.map(([key, value]) => `${key}="${value.replace(/[^\x20-\x7E]|["\\]/g, "")}"`).join(", ");
}
