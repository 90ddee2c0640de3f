/**
 * `/mcp` bearer authentication (401), scopes (403) and an unreachable key set (503): raw
 * requests against the real app with real tokens.
 */
import assert from "node:assert/strict";
import { listTodos } from "../todos/mod.ts";
import { TEST_ORIGIN } from "../testing/app.ts";
import {
  bearerChallenge as challenge,
  initializeRequest,
  startMcpTestEnv,
  toolCall,
} from "../testing/mcp.ts";

const PRM_URL = `${TEST_ORIGIN}/.well-known/oauth-protected-resource/mcp`;

/** A JSON value as a JWT segment (base64url, no padding). */
function encodeSegment(value: unknown): string {
  return new TextEncoder().encode(JSON.stringify(value))
    .toBase64({ alphabet: "base64url", omitPadding: true });
}

Deno.test("a request without a token gets 401 naming the metadata and scopes, uncached", async () => {
  await using env = await startMcpTestEnv();
  const response = await env.post(null, initializeRequest());
  assert.equal(response.status, 401);
  assert.equal(response.headers.get("Cache-Control"), "no-store");
  assert.deepEqual(challenge(response), {
    resource_metadata: PRM_URL,
    scope: "read:todos write:todos",
  });
  assert.deepEqual(await response.json(), {
    jsonrpc: "2.0",
    id: null,
    error: {
      code: -32000,
      message: "This endpoint needs an OAuth access token: Authorization: Bearer <token>.",
    },
  });

  const basic = await env.post(null, initializeRequest(), { Authorization: "Basic dXNlcjpwdw==" });
  assert.equal(basic.status, 401);
  assert.equal(challenge(basic).error, undefined);
  await basic.body?.cancel();
});

Deno.test("invalid, expired, early, misdirected or unsigned tokens get 401 invalid_token", async () => {
  await using env = await startMcpTestEnv();
  const valid = await env.token("user-a");
  const [header, payload] = valid.split(".");
  const claims = JSON.parse(
    new TextDecoder().decode(Uint8Array.fromBase64(payload, { alphabet: "base64url" })),
  );
  const tokens: Record<string, string> = {
    expired: await env.token("user-a", { sign: { expiresIn: -120 } }),
    "not yet valid": await env.token("user-a", { sign: { notBeforeIn: 600 } }),
    "wrong audience": await env.token("user-a", { claims: { aud: "https://other.example/mcp" } }),
    "wrong issuer": await env.token("user-a", { claims: { iss: "https://evil.example" } }),
    "unknown key": await env.token("user-a", { sign: { kid: "jwk-test-unknown" } }),
    unsigned: `${encodeSegment({ alg: "none", typ: "JWT" })}.${payload}.`,
    "tampered payload": `${header}.${encodeSegment({ ...claims, sub: "user-b" })}.${
      valid.split(".")[2]
    }`,
    "session JWT": await env.token("user-a", {
      claims: {
        aud: ["project-test-00000000-0000-0000-0000-000000000000"],
        scope: undefined,
        "https://stytch.com/session": { id: "session-test-1" },
      },
    }),
    garbage: "not-a-jwt",
  };
  for (const [name, token] of Object.entries(tokens)) {
    const response = await env.post(token, initializeRequest());
    assert.equal(response.status, 401, name);
    const params = challenge(response);
    assert.equal(params.error, "invalid_token", name);
    assert.equal(params.resource_metadata, PRM_URL, name);
    assert.ok(params.error_description, name);
    assert.ok(!response.headers.get("WWW-Authenticate")!.includes(token), name);
    await response.body?.cancel();
  }
  const malformed = await env.post(null, initializeRequest(), { Authorization: "Bearer a b" });
  assert.equal(malformed.status, 401);
  assert.equal(challenge(malformed).error, "invalid_token");
  await malformed.body?.cancel();
});

Deno.test("a token in the query string is refused, even a valid one", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  for (const authorization of [undefined, `Bearer ${token}`]) {
    const response = await env.app.request(`/mcp?access_token=${token}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        ...(authorization ? { Authorization: authorization } : {}),
      },
      body: JSON.stringify(toolCall("createTodo", { todoText: "via URL" })),
    });
    assert.equal(response.status, 400);
    assert.equal(challenge(response).error, "invalid_request");
    await response.body?.cancel();
  }
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), []);
});

Deno.test("a browser session cookie is not an access token", async () => {
  await using env = await startMcpTestEnv();
  const { cookie } = await env.user("dave@example.com");
  const response = await env.post(null, initializeRequest(), { Cookie: cookie });
  assert.equal(response.status, 401);
  await response.body?.cancel();
});

Deno.test("a read-only token reads but gets 403 insufficient_scope for writes", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a", { scope: "read:todos" });
  const list = await env.post(token, toolCall("listTodos"));
  assert.equal(list.status, 200);
  assert.equal((await list.json()).result.isError, undefined);

  const write = await env.post(token, toolCall("createTodo", { todoText: "Nope" }));
  assert.equal(write.status, 403);
  assert.equal(write.headers.get("Cache-Control"), "no-store");
  const params = challenge(write);
  assert.equal(params.error, "insufficient_scope");
  assert.equal(params.scope, "read:todos write:todos");
  assert.equal(params.resource_metadata, PRM_URL);
  assert.match((await write.json()).error.message, /write:todos/);
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), []);

  const batch = await env.post(token, [
    toolCall("listTodos", {}, 1),
    toolCall("deleteTodo", {}, 2),
  ]);
  assert.equal(batch.status, 403);
  await batch.body?.cancel();
});

Deno.test("a write-only token writes but cannot read todos", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a", { scope: "write:todos" });
  const write = await env.post(token, toolCall("createTodo", { todoText: "Blind" }));
  assert.equal(write.status, 200);
  assert.equal((await write.json()).result.structuredContent.todo.text, "Blind");
  for (
    const body of [
      toolCall("listTodos"),
      { jsonrpc: "2.0", id: 3, method: "resources/read", params: { uri: "todoapp://todos" } },
      { jsonrpc: "2.0", id: 4, method: "resources/list" },
      { jsonrpc: "2.0", id: 5, method: "prompts/get", params: { name: "reviewOpenTodos" } },
    ]
  ) {
    const response = await env.post(token, body);
    assert.equal(response.status, 403, body.method);
    assert.deepEqual(challenge(response).scope, "read:todos write:todos");
    await response.body?.cancel();
  }
});

Deno.test("a token without todo scopes can connect and discover, not read", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a", { scope: "openid profile" });
  const client = await env.connect(token);
  assert.equal((await client.listTools()).tools.length, 6);
  assert.equal((await client.listPrompts()).prompts.length, 1);
  await client.close();
  const read = await env.post(token, toolCall("listTodos"));
  assert.equal(read.status, 403);
  assert.equal(challenge(read).scope, "read:todos");
  await read.body?.cancel();
});

Deno.test("signing keys that cannot be fetched give 503, not 401 or 500", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  env.issuer.setMode("down");
  const response = await env.post(token, initializeRequest());
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("WWW-Authenticate"), null);
  await response.body?.cancel();
});
