/**
 * The plain JSON error answer (REST's shape, and the last resort's for JSON clients): every
 * family member thrown through `jsonErrorResponse` keeps its status, code and message and the
 * headers it implies; an unexpected error is a 500 that names only the request id, logged once
 * without the query string.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  assertCoversFamily,
  capturingErrors,
  FAMILY,
  throwThrough,
} from "../testing/error_family.ts";
import { forgetLoggedFaults } from "../kv/faults.ts";
import { jsonErrorResponse, toAppError } from "./errors.ts";
import type { AppEnv } from "./context.ts";

/** Per member: status, code, and the headers the answer must carry (null: must not). */
const REST: Record<string, [number, string, Record<string, string | null>]> = {
  AppError: [418, "teapot", {}],
  ValidationError: [400, "invalid_request", {}],
  InvalidJsonError: [400, "invalid_request", {}],
  BearerRequestError: [400, "invalid_request", { "WWW-Authenticate": null }],
  UnauthorizedError: [401, "unauthorized", { "Cache-Control": "no-store" }],
  InvalidTokenError: [401, "invalid_token", { "Cache-Control": "no-store" }],
  ForbiddenError: [403, "forbidden", { "Cache-Control": "no-store" }],
  InsufficientScopeError: [403, "insufficient_scope", { "Cache-Control": "no-store" }],
  NotFoundError: [404, "not_found", {}],
  MethodNotAllowedError: [405, "method_not_allowed", { Allow: "POST, OPTIONS" }],
  ConflictError: [409, "todo_limit_reached", {}],
  WriteConflictError: [409, "write_conflict", {}],
  PayloadTooLargeError: [413, "payload_too_large", {}],
  UnsupportedMediaTypeError: [415, "unsupported_media_type", {}],
  TooManyRequestsError: [429, "rate_limited", { "Retry-After": "42" }],
  InternalError: [500, "internal_error", { "X-Request-Id": "req-1" }],
  ServiceUnavailableError: [503, "service_unavailable", { "Retry-After": "5" }],
  StorageError: [503, "service_unavailable", { "Retry-After": "60" }],
  OAuthError: [401, "invalid_client", { "WWW-Authenticate": 'Basic realm="oauth"' }],
  AuthorizePageError: [400, "invalid_request", {}],
  "unexpected TypeError": [500, "internal_error", { "Retry-After": null, "X-Request-Id": "req-1" }],
};

Deno.test("the REST table names every member of the error family", () => {
  assertCoversFamily(REST, "REST");
});

Deno.test("every family member answers {error: {code, message}} with its status and headers", async () => {
  for (const [name, [status, code, headers]] of Object.entries(REST)) {
    const error = FAMILY[name]();
    const [response, logged] = await capturingErrors(() => throwThrough(jsonErrorResponse, error));
    assert.equal(response.status, status, name);
    assert.match(response.headers.get("Content-Type")!, /^application\/json/, name);
    const body = await response.json();
    assert.deepEqual(Object.keys(body), ["error"], name);
    assert.deepEqual(Object.keys(body.error), ["code", "message"], name);
    assert.equal(body.error.code, code, name);
    for (const [header, value] of Object.entries(headers)) {
      assert.equal(response.headers.get(header), value, `${name}: ${header}`);
    }
    if (status < 500) {
      assert.equal(body.error.message, error.message, name);
      assert.deepEqual(logged, [], `${name} is expected: nothing logged`);
    }
  }
});

Deno.test("an unexpected error is a 500 naming the request id, logged once without the query or its details", async () => {
  const [response, logged] = await capturingErrors(() =>
    throwThrough(jsonErrorResponse, FAMILY["unexpected TypeError"]())
  );
  assert.equal(response.status, 500);
  assert.equal(response.headers.get("X-Request-Id"), "req-1");
  assert.deepEqual(await response.json(), {
    error: { code: "internal_error", message: "Something went wrong on our side (request req-1)." },
  });
  assert.equal(logged.length, 1);
  assert.match(logged[0], /^\[req-1\] GET \/somewhere: TypeError: secret internals/);
  assert.doesNotMatch(logged[0], /access_token|secret(?! internals)/);
});

Deno.test("each request's unexpected errors are logged under an id of its own, the one its 500 names", async () => {
  const app = new Hono<AppEnv>();
  // A mapper that meets a second unexpected error while answering the first.
  app.onError((error, c) => {
    toAppError(new RangeError("while answering"), c);
    return jsonErrorResponse(error, c);
  });
  app.get("/broken", () => {
    throw new TypeError("secret internals");
  });
  const [answers, logged] = await capturingErrors(() =>
    Promise.all([app.request("/broken"), app.request("/broken")])
  );
  const ids = answers.map((answer) => answer.headers.get("X-Request-Id")!);
  assert.match(ids[0], /^[0-9a-f-]{36}$/);
  assert.notEqual(ids[0], ids[1]);
  assert.equal(logged.length, 4);
  for (const [i, answer] of answers.entries()) {
    const { error } = await answer.json();
    assert.equal(error.message, `Something went wrong on our side (request ${ids[i]}).`);
    assert.equal(logged.filter((line) => line.startsWith(`[${ids[i]}] GET /broken:`)).length, 2);
  }
});

Deno.test("Hono's HTTPException below 500 keeps its status with a code for it; above is unexpected", async () => {
  const refused = await throwThrough(
    jsonErrorResponse,
    new HTTPException(405, { message: "No PUT here." }),
  );
  assert.equal(refused.status, 405);
  assert.deepEqual(await refused.json(), {
    error: { code: "method_not_allowed", message: "No PUT here." },
  });
  const [broken, logged] = await capturingErrors(() =>
    throwThrough(jsonErrorResponse, new HTTPException(502, { message: "upstream detail" }))
  );
  assert.equal(broken.status, 500);
  assert.doesNotMatch(await broken.text(), /upstream detail/);
  assert.equal(logged.length, 1);
});

Deno.test("a raw storage fault from Deno KV is a 503 logged as one line, not a stack per request", async () => {
  forgetLoggedFaults();
  const root = await Deno.makeTempDir();
  let fault: unknown;
  try {
    await Deno.writeFile(`${root}/kv.sqlite3`, crypto.getRandomValues(new Uint8Array(4096)));
    await Deno.openKv(`${root}/kv.sqlite3`).catch((error) => fault = error);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  assert.ok(fault instanceof Error, "SQLite refused the corrupt file");
  const [responses, logged] = await capturingErrors(async () => [
    await throwThrough(jsonErrorResponse, fault as Error),
    await throwThrough(jsonErrorResponse, fault as Error),
  ]);
  for (const response of responses) {
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("Retry-After"), "60");
    assert.deepEqual((await response.json()).error, {
      code: "service_unavailable",
      message: "The server cannot store data right now; nothing was saved. Try again later.",
    });
  }
  assert.equal(logged.length, 1, "the second within a minute is counted, not logged");
  assert.match(logged[0], /^Storage fault, requests answer 503: KV_PATH is not a readable/);
  assert.doesNotMatch(logged[0], /\n/);
});
