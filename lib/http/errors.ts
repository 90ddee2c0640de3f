/**
 * What every surface's error mapper shares: {@linkcode toAppError} turns anything thrown into a
 * member of the family (lib/errors.ts), logging an unexpected error once under a request id
 * and never the request's credentials; {@linkcode errorHeaders} gives the headers the error
 * implies. Also the app's plain JSON error answer, `{error: {code, message}}`: REST's shape
 * (`/api` installs it with `onError`) and the last resort's for clients that want no HTML.
 * No surface is known here: each maps the family next to itself (docs/api.md, "Errors").
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, InternalError, NotFoundError } from "../errors.ts";
import { logStorageFault, toStorageError } from "../kv/faults.ts";
import type { AppEnv } from "./context.ts";

/** Error body shape of every plain JSON error response (REST and the last resort). */
export interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * `error` as a member of the family: a storage fault as a `StorageError` (503, logged as one
 * line, lib/kv/faults.ts), an `AppError` as it is, a Hono `HTTPException` below 500 as an
 * `AppError` with its status, anything else logged (once, here, under the request's id, made on
 * its first such error) and replaced by an {@linkcode InternalError} that names only that id.
 */
export function toAppError(error: unknown, c: Context<AppEnv>): AppError {
  const storage = toStorageError(error);
  if (storage) {
    logStorageFault(storage);
    return storage;
  }
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException && error.status < 500) {
    const status = error.status as ContentfulStatusCode;
    return new AppError(status, codeForStatus(status), error.message || "Bad request.");
  }
  let requestId = c.get("requestId");
  if (requestId === undefined) c.set("requestId", requestId = crypto.randomUUID());
  // The path only: a query string may carry a token (`?access_token=`), headers always may.
  console.error(`[${requestId}] ${c.req.method} ${new URL(c.req.url).pathname}:`, error);
  return new InternalError(requestId);
}

/**
 * Headers the error implies on any surface: its own (`Retry-After`, `Allow`, ...), and
 * `Cache-Control: no-store` for 401 and 403, which depend on the request's credentials.
 */
export function errorHeaders(error: AppError): Record<string, string> {
  const headers = error.responseHeaders();
  if (error.status === 401 || error.status === 403) headers["Cache-Control"] = "no-store";
  return headers;
}

/** The plain JSON error answer `{error: {code, message}}` with the error's status: a Hono `onError`. */
export function jsonErrorResponse(error: unknown, c: Context<AppEnv>): Response {
  const known = toAppError(error, c);
  return c.json<ErrorBody>(
    { error: { code: known.code, message: known.message } },
    known.status,
    errorHeaders(known),
  );
}

/** The plain JSON 404 for a path no route answers: a Hono `notFound`. */
export function jsonNotFound(c: Context<AppEnv>): Response {
  return jsonErrorResponse(routeNotFound(c), c);
}

/** The error for a request no route answers (404, naming the method and path). */
export function routeNotFound(c: Context<AppEnv>): NotFoundError {
  return new NotFoundError(`No route for ${c.req.method} ${c.req.path}.`);
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
