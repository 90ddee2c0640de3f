/**
 * Bad input on every surface of the real app: each answer is a 4xx in that surface's one error
 * shape (docs/api.md, "Errors"), never a 500, and nothing stored changes (rate-limit counters
 * aside, which count every request).
 */
import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN } from "./testing/app.ts";
import { initializeRequest, startMcpTestEnv, toolCall } from "./testing/mcp.ts";

/** Every stored key with its versionstamp, rate-limit counters left out. */
async function snapshot(kv: Deno.Kv): Promise<string[]> {
  const entries = await Array.fromAsync(kv.list({ prefix: [] }));
  return entries.filter((entry) => entry.key[0] !== "rate_limit")
    .map((entry) => `${JSON.stringify(entry.key)}@${entry.versionstamp}`);
}

type Shape = "rest" | "html" | "oauth" | "json-rpc";

/** Asserts `response` is a 4xx with `status` in `shape`; returns the parsed body (JSON shapes). */
async function assertRefusal(response: Response, status: number, shape: Shape, name: string) {
  assert.equal(response.status, status, name);
  if (shape === "html") {
    assert.match(response.headers.get("Content-Type")!, /^text\/html/, name);
    await response.body?.cancel();
    return;
  }
  const body = await response.json();
  if (shape === "rest") {
    assert.deepEqual(Object.keys(body), ["error"], name);
    assert.deepEqual(Object.keys(body.error), ["code", "message"], name);
  } else if (shape === "oauth") {
    assert.deepEqual(Object.keys(body), ["error", "error_description"], name);
  } else {
    assert.deepEqual(body.jsonrpc, "2.0", name);
    assert.equal(body.id, null, name);
    assert.deepEqual(Object.keys(body.error), ["code", "message"], name);
    assert.equal(typeof body.error.code, "number", name);
  }
}

Deno.test("bad input to /api, pages and /oauth: each surface's shape, never a 500, nothing stored", async () => {
  using app = await createTestApp();
  const cookie = await app.signIn("ada@example.com");
  await app.request("/api/todos", {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "application/json" },
    body: JSON.stringify({ todoText: "Keep me" }),
  }).then((response) => response.body?.cancel());
  const before = await snapshot(app.kv);
  const json = { Cookie: cookie, "Content-Type": "application/json" };
  const cases: [string, string, RequestInit, number, Shape][] = [
    ["no session", "/api/todos", {}, 401, "rest"],
    ["not JSON", "/api/todos", { method: "POST", headers: json, body: "{oops" }, 400, "rest"],
    [
      "a number as text",
      "/api/todos",
      {
        method: "POST",
        headers: json,
        body: '{"todoText":5}',
      },
      400,
      "rest",
    ],
    [
      "text/plain",
      "/api/todos",
      {
        method: "POST",
        headers: { Cookie: cookie, "Content-Type": "text/plain" },
        body: "x",
      },
      415,
      "rest",
    ],
    [
      "too large",
      "/api/todos",
      {
        method: "POST",
        headers: json,
        body: JSON.stringify({ todoText: "x".repeat(70_000) }),
      },
      413,
      "rest",
    ],
    [
      "unknown todo",
      "/api/todos/01J0000000000000000000000/complete",
      {
        method: "POST",
        headers: { Cookie: cookie },
      },
      404,
      "rest",
    ],
    [
      "cross-site",
      "/api/todos",
      {
        method: "POST",
        headers: { ...json, Origin: "https://evil.example" },
        body: '{"todoText":"x"}',
      },
      403,
      "rest",
    ],
    [
      "no such API path, from a browser",
      "/api/nowhere",
      {
        headers: { Cookie: cookie, Accept: "text/html" },
      },
      404,
      "rest",
    ],
    ["no such API method", "/api/todos", { method: "PUT", headers: json, body: "{}" }, 404, "rest"],
    ["no such page", "/nowhere", { headers: { Accept: "text/html" } }, 404, "html"],
    ["no such page, JSON client", "/nowhere", {}, 404, "rest"],
    [
      "cross-site form",
      "/login",
      {
        method: "POST",
        headers: { Origin: "https://evil.example", Accept: "text/html" },
      },
      403,
      "html",
    ],
    [
      "unknown grant type",
      "/oauth/token",
      {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "grant_type=password",
      },
      400,
      "oauth",
    ],
    [
      "registration not JSON",
      "/oauth/register",
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{oops",
      },
      400,
      "oauth",
    ],
    [
      "registration too large",
      "/oauth/register",
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ redirect_uris: ["x".repeat(20_000)] }),
      },
      413,
      "oauth",
    ],
  ];
  for (const [name, path, init, status, shape] of cases) {
    await assertRefusal(await app.request(path, init), status, shape, name);
  }
  assert.deepEqual(await snapshot(app.kv), before);
});

Deno.test("bad input to /mcp: one JSON-RPC error shape, never a 500, nothing stored", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const readOnly = await env.token("user-a", { scope: "read:todos" });
  await env.post(token, toolCall("createTodo", { todoText: "Keep me" }))
    .then((response) => response.body?.cancel());
  const before = await snapshot(env.app.kv);
  const request = (path: string, init: RequestInit) =>
    env.app.request(`${TEST_ORIGIN}${path}`, init);
  const cases: [string, () => Promise<Response>, number, Record<string, RegExp>][] = [
    ["no token", () => env.post(null, initializeRequest()), 401, {
      "WWW-Authenticate": /^Bearer resource_metadata=/,
    }],
    ["a bad token", () => env.post("not-a-jwt", initializeRequest()), 401, {
      "WWW-Authenticate": /error="invalid_token"/,
    }],
    [
      "a token in the URL",
      () =>
        request(`/mcp?access_token=${token}`, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json, text/event-stream",
          },
          body: JSON.stringify(toolCall("createTodo", { todoText: "via URL" })),
        }),
      400,
      { "WWW-Authenticate": /error="invalid_request"/ },
    ],
    [
      "a read-only token writing",
      () => env.post(readOnly, toolCall("createTodo", { todoText: "x" })),
      403,
      {
        "WWW-Authenticate": /error="insufficient_scope"/,
      },
    ],
    [
      "a foreign Origin",
      () =>
        env.post(token, toolCall("createTodo", { todoText: "x" }), {
          Origin: "https://evil.example",
        }),
      403,
      {},
    ],
    ["not JSON", () => env.post(token, "{oops"), 400, {}],
    ["an empty batch", () => env.post(token, []), 400, {}],
    [
      "too large",
      () =>
        env.post(token, JSON.stringify(toolCall("createTodo", { todoText: "x".repeat(1 << 20) }))),
      413,
      {},
    ],
    ["GET", () => request("/mcp", { headers: { Authorization: `Bearer ${token}` } }), 405, {
      Allow: /^POST, OPTIONS$/,
    }],
    [
      "no such path",
      () =>
        request("/mcp/x", {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: "{}",
        }),
      404,
      {},
    ],
  ];
  for (const [name, send, status, headers] of cases) {
    const response = await send();
    for (const [header, pattern] of Object.entries(headers)) {
      assert.match(response.headers.get(header) ?? "", pattern, `${name}: ${header}`);
    }
    await assertRefusal(response, status, "json-rpc", name);
  }
  assert.deepEqual(await snapshot(env.app.kv), before);
});
