/**
 * The OAuth surface's mapping: every family member thrown at the server's JSON endpoints is an
 * RFC 6749 §5.2 body `{error, error_description}` with the status and headers it implies,
 * never cached; the same member on an authorize redirect carries the same code.
 */
import assert from "node:assert/strict";
import { AppError, InternalError } from "../errors.ts";
import {
  assertCoversFamily,
  capturingErrors,
  FAMILY,
  throwThrough,
} from "../testing/error_family.ts";
import { errorRedirect } from "./authorize.ts";
import { handleOAuthError, oauthErrorFields } from "./errors.ts";

/** Per member: status, RFC 6749 code, headers (null: must be absent). */
const OAUTH: Record<string, [number, string, Record<string, string | null>]> = {
  AppError: [418, "invalid_request", {}],
  ValidationError: [400, "invalid_request", {}],
  InvalidJsonError: [400, "invalid_request", {}],
  BearerRequestError: [400, "invalid_request", {}],
  UnauthorizedError: [401, "invalid_request", { "Cache-Control": "no-store" }],
  InvalidTokenError: [401, "invalid_request", {}],
  ForbiddenError: [403, "invalid_request", {}],
  InsufficientScopeError: [403, "invalid_request", {}],
  NotFoundError: [404, "invalid_request", {}],
  MethodNotAllowedError: [405, "invalid_request", { Allow: "POST, OPTIONS" }],
  ConflictError: [409, "invalid_request", {}],
  WriteConflictError: [500, "server_error", { "Retry-After": null }],
  PayloadTooLargeError: [413, "invalid_request", {}],
  UnsupportedMediaTypeError: [415, "invalid_request", {}],
  TooManyRequestsError: [429, "temporarily_unavailable", { "Retry-After": "42" }],
  InternalError: [500, "server_error", { "X-Request-Id": "req-1" }],
  ServiceUnavailableError: [503, "temporarily_unavailable", { "Retry-After": "5" }],
  StorageError: [503, "temporarily_unavailable", { "Retry-After": "60" }],
  OAuthError: [401, "invalid_client", { "WWW-Authenticate": 'Basic realm="oauth"' }],
  AuthorizePageError: [400, "invalid_request", {}],
  "unexpected TypeError": [500, "server_error", { "X-Request-Id": "req-1" }],
};

Deno.test("the OAuth table names every member of the error family", () => {
  assertCoversFamily(OAUTH, "OAuth");
});

Deno.test("every family member at an OAuth endpoint is an RFC 6749 body with its status and headers, never cached", async () => {
  for (const [name, [status, code, headers]] of Object.entries(OAUTH)) {
    const error = FAMILY[name]();
    const [response] = await capturingErrors(() => throwThrough(handleOAuthError, error));
    assert.equal(response.status, status, name);
    assert.equal(response.headers.get("Cache-Control"), "no-store", name);
    assert.equal(response.headers.get("Pragma"), "no-cache", name);
    const body = await response.json();
    assert.deepEqual(Object.keys(body), ["error", "error_description"], name);
    assert.equal(body.error, code, name);
    assert.match(body.error_description, /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/, name);
    if (error instanceof AppError && !(error instanceof InternalError)) {
      assert.equal(body.error_description, error.message.replaceAll('"', "'"), name);
    } else {
      assert.equal(body.error_description, "Something went wrong on our side (request req-1).");
    }
    for (const [header, value] of Object.entries(headers)) {
      assert.equal(response.headers.get(header), value, `${name}: ${header}`);
    }
  }
});

Deno.test("an authorize error redirect carries the same RFC 6749 code as the JSON body, with state and iss", () => {
  const target = { redirectUri: "http://127.0.0.1:33418/callback?keep=1", state: "s1" };
  for (const [name, [, code]] of Object.entries(OAUTH)) {
    const error = FAMILY[name]();
    if (!(error instanceof AppError)) continue;
    const url = new URL(errorRedirect(target, error, "http://localhost:8000"));
    assert.equal(url.origin + url.pathname, "http://127.0.0.1:33418/callback", name);
    assert.equal(url.searchParams.get("keep"), "1", name);
    assert.equal(url.searchParams.get("error"), code, name);
    assert.equal(
      url.searchParams.get("error_description"),
      oauthErrorFields(error).error_description,
      name,
    );
    assert.equal(url.searchParams.get("state"), "s1", name);
    assert.equal(url.searchParams.get("iss"), "http://localhost:8000", name);
  }
});
