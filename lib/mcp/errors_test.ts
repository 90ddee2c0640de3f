/**
 * The MCP surface's mapping: every family member thrown outside a tool is one JSON-RPC error
 * body with the member's status and headers, 401/403 with the RFC 6750 challenge on
 * bearer-protected routes; inside a tool, a member below 500 is an `isError` result.
 */
import assert from "node:assert/strict";
import { AppError, StorageError } from "../errors.ts";
import { forgetLoggedFaults } from "../kv/faults.ts";
import {
  assertCoversFamily,
  capturingErrors,
  FAMILY,
  throwThrough,
} from "../testing/error_family.ts";
import { handleMcpError, toolErrorResult } from "./errors.ts";

const CHALLENGE = {
  resourceMetadata: "http://localhost:8000/.well-known/oauth-protected-resource/mcp",
  scope: "read:todos write:todos",
};
const PRM = `resource_metadata="${CHALLENGE.resourceMetadata}"`;

/** Per member: status, JSON-RPC code, headers (null: must be absent), `isError` in a tool. */
const MCP: Record<string, [number, number, Record<string, string | null>, boolean]> = {
  AppError: [418, -32000, { "WWW-Authenticate": null }, true],
  ValidationError: [400, -32600, { "WWW-Authenticate": null }, true],
  InvalidJsonError: [400, -32700, {}, true],
  BearerRequestError: [400, -32600, {
    "WWW-Authenticate":
      `Bearer error="invalid_request", error_description="Send the token in the header.", ${PRM}, scope="read:todos write:todos"`,
  }, true],
  UnauthorizedError: [401, -32000, {
    "WWW-Authenticate": `Bearer ${PRM}, scope="read:todos write:todos"`,
    "Cache-Control": "no-store",
  }, true],
  InvalidTokenError: [401, -32000, {
    "WWW-Authenticate":
      `Bearer error="invalid_token", error_description="Token has expired.", ${PRM}, scope="read:todos write:todos"`,
    "Cache-Control": "no-store",
  }, true],
  ForbiddenError: [403, -32000, { "WWW-Authenticate": null, "Cache-Control": "no-store" }, true],
  InsufficientScopeError: [403, -32000, {
    "WWW-Authenticate":
      `Bearer error="insufficient_scope", error_description="This request needs the write:todos scope.", ${PRM}, scope="read:todos write:todos"`,
    "Cache-Control": "no-store",
  }, true],
  NotFoundError: [404, -32000, {}, true],
  MethodNotAllowedError: [405, -32000, { Allow: "POST, OPTIONS" }, true],
  ConflictError: [409, -32000, {}, true],
  WriteConflictError: [409, -32000, {}, true],
  PayloadTooLargeError: [413, -32600, {}, true],
  UnsupportedMediaTypeError: [415, -32000, {}, true],
  TooManyRequestsError: [429, -32000, { "Retry-After": "42" }, true],
  InternalError: [500, -32603, { "X-Request-Id": "req-1" }, false],
  ServiceUnavailableError: [503, -32000, { "Retry-After": "5", "WWW-Authenticate": null }, false],
  StorageError: [503, -32000, { "Retry-After": "60", "WWW-Authenticate": null }, true],
  OAuthError: [401, -32000, {
    "WWW-Authenticate": `Bearer ${PRM}, scope="read:todos write:todos"`,
  }, true],
  AuthorizePageError: [400, -32600, {}, true],
  "unexpected TypeError": [500, -32603, { "X-Request-Id": "req-1" }, false],
};

Deno.test("the MCP table names every member of the error family", () => {
  assertCoversFamily(MCP, "MCP");
});

Deno.test("every family member outside a tool is one JSON-RPC error body with its status and headers", async () => {
  for (const [name, [status, code, headers]] of Object.entries(MCP)) {
    const error = FAMILY[name]();
    const [response] = await capturingErrors(() =>
      throwThrough(handleMcpError, error, { bearerChallenge: CHALLENGE })
    );
    assert.equal(response.status, status, name);
    const body = await response.json();
    assert.deepEqual(Object.keys(body).sort(), ["error", "id", "jsonrpc"], name);
    assert.equal(body.jsonrpc, "2.0", name);
    assert.equal(body.id, null, name);
    assert.deepEqual(Object.keys(body.error), ["code", "message"], name);
    assert.equal(body.error.code, code, name);
    if (error instanceof AppError) assert.equal(body.error.message, error.message, name);
    else assert.equal(body.error.message, "Something went wrong on our side (request req-1).");
    for (const [header, value] of Object.entries(headers)) {
      assert.equal(response.headers.get(header), value, `${name}: ${header}`);
    }
  }
});

Deno.test("off a bearer-protected route, 401 and 403 carry no bearer challenge", async () => {
  for (const name of ["UnauthorizedError", "InvalidTokenError", "InsufficientScopeError"]) {
    const response = await throwThrough(handleMcpError, FAMILY[name]());
    assert.equal(response.headers.get("WWW-Authenticate"), null, name);
    await response.body?.cancel();
  }
});

Deno.test("inside a tool, a member below 500 is an isError result with its message; the rest say nothing more", async () => {
  for (const [name, [status, , , isClientError]] of Object.entries(MCP)) {
    const error = FAMILY[name]();
    forgetLoggedFaults();
    const [result, logged] = await capturingErrors(() => Promise.resolve(toolErrorResult(error)));
    assert.equal(result.isError, true, name);
    const text = (result.content[0] as { text: string }).text;
    if (isClientError) {
      assert.equal(text, error.message, name);
      // A storage fault is the operator's to fix: one line for them, no stack.
      assert.equal(logged.length, error instanceof StorageError ? 1 : 0, name);
    } else {
      assert.ok(status >= 500, name);
      assert.equal(text, "Something went wrong on our side; try again.", name);
      assert.equal(logged.length, 1, name);
    }
  }
});
