/**
 * `/mcp` over HTTP: bearer authentication (401), scopes (403), Origin checks, CORS, body
 * limits and malformed JSON-RPC. Raw requests against the real app, real tokens.
 */
import assert from "node:assert/strict";
import { listTodos } from "../todos/mod.ts";
import { TEST_ORIGIN } from "../testing/app.ts";
import { initializeRequest, MCP_URL, startMcpTestEnv, toolCall } from "../testing/mcp.ts";
import { MAX_MCP_BODY_BYTES } from "./http.ts";

const PRM_URL = `${TEST_ORIGIN}/.well-known/oauth-protected-resource/mcp`;

/** Parses a `WWW-Authenticate: Bearer k="v", ...` header into its parameters. */
function challenge(response: Response): Record<string, string> {
  const header = response.headers.get("WWW-Authenticate");
  assert.ok(header?.startsWith("Bearer "), `WWW-Authenticate: ${header}`);
  return Object.fromEntries(
    [...header!.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]),
  );
}

function base64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
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
  const claims = JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/")));
  const tokens: Record<string, string> = {
    expired: await env.token("user-a", { sign: { expiresIn: -120 } }),
    "not yet valid": await env.token("user-a", { sign: { notBeforeIn: 600 } }),
    "wrong audience": await env.token("user-a", { claims: { aud: "https://other.example/mcp" } }),
    "wrong issuer": await env.token("user-a", { claims: { iss: "https://evil.example" } }),
    "unknown key": await env.token("user-a", { sign: { kid: "jwk-test-unknown" } }),
    unsigned: `${base64url({ alg: "none", typ: "JWT" })}.${payload}.`,
    "tampered payload": `${header}.${base64url({ ...claims, sub: "user-b" })}.${
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

Deno.test("scope names come from MCP_READ_SCOPE and MCP_WRITE_SCOPE", async () => {
  await using env = await startMcpTestEnv({
    MCP_READ_SCOPE: "todos.read",
    MCP_WRITE_SCOPE: "todos.write",
  });
  const old = await env.post(await env.token("user-a"), toolCall("listTodos"));
  assert.equal(old.status, 403);
  assert.equal(challenge(old).scope, "todos.read");
  await old.body?.cancel();
  const token = await env.token("user-a", { scope: "todos.read todos.write" });
  const ok = await env.post(token, toolCall("createTodo", { todoText: "Renamed scopes" }));
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
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

Deno.test("an Origin that is not allowed gets 403 before anything else", async () => {
  await using env = await startMcpTestEnv({ MCP_ALLOWED_ORIGINS: "https://inspector.example" });
  const token = await env.token("user-a");
  for (const origin of ["https://evil.example", "null", "http://localhost.evil.example"]) {
    const response = await env.post(token, toolCall("createTodo", { todoText: "x" }), {
      Origin: origin,
    });
    assert.equal(response.status, 403, origin);
    assert.equal(response.headers.get("Access-Control-Allow-Origin"), null, origin);
    assert.match((await response.json()).error.message, /MCP_ALLOWED_ORIGINS/);
  }
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), []);
  for (const origin of ["https://inspector.example", TEST_ORIGIN, "http://127.0.0.1:6274"]) {
    const response = await env.post(token, initializeRequest(), { Origin: origin });
    assert.equal(response.status, 200, origin);
    assert.equal(response.headers.get("Access-Control-Allow-Origin"), origin);
    await response.body?.cancel();
  }
});

Deno.test("with PUBLIC_URL only that origin and the configured ones are allowed", async () => {
  await using env = await startMcpTestEnv({ PUBLIC_URL: "https://todos.example" });
  const token = await env.token("user-a", { claims: { aud: "https://todos.example/mcp" } });
  const own = await env.post(token, initializeRequest(), { Origin: "https://todos.example" });
  assert.equal(own.status, 200);
  await own.body?.cancel();
  for (const origin of [TEST_ORIGIN, "http://localhost:6274"]) {
    const response = await env.post(token, initializeRequest(), { Origin: origin });
    assert.equal(response.status, 403, origin);
    await response.body?.cancel();
  }
  // The audience is the canonical URL from PUBLIC_URL, never the request's Host.
  const local = await env.post(await env.token("user-a"), initializeRequest());
  assert.equal(local.status, 401);
  await local.body?.cancel();
});

Deno.test("CORS: preflight for allowed origins, WWW-Authenticate exposed on 401", async () => {
  await using env = await startMcpTestEnv();
  const preflight = await env.app.request("/mcp", {
    method: "OPTIONS",
    headers: {
      Origin: "http://localhost:6274",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization, content-type, mcp-protocol-version",
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("Access-Control-Allow-Origin"), "http://localhost:6274");
  assert.match(preflight.headers.get("Access-Control-Allow-Headers")!, /Authorization/);
  assert.match(preflight.headers.get("Access-Control-Allow-Headers")!, /Mcp-Protocol-Version/);
  // 2026-07-28 clients send these with every request.
  assert.match(preflight.headers.get("Access-Control-Allow-Headers")!, /Mcp-Method,Mcp-Name/);
  assert.equal(preflight.headers.get("Access-Control-Allow-Credentials"), null);

  const foreign = await env.app.request("/mcp", {
    method: "OPTIONS",
    headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
  });
  assert.equal(foreign.headers.get("Access-Control-Allow-Origin"), null);
  await foreign.body?.cancel();

  const unauthorized = await env.post(null, initializeRequest(), {
    Origin: "http://localhost:6274",
  });
  assert.equal(unauthorized.status, 401);
  assert.equal(unauthorized.headers.get("Access-Control-Allow-Origin"), "http://localhost:6274");
  assert.match(unauthorized.headers.get("Access-Control-Expose-Headers")!, /WWW-Authenticate/);
  assert.match(unauthorized.headers.get("Vary") ?? "", /\bOrigin\b/);
  await unauthorized.body?.cancel();

  const token = await env.token("user-a");
  const answered = await env.post(token, toolCall("listTodos"), {
    Origin: "http://localhost:6274",
  });
  assert.equal(answered.status, 200);
  assert.equal(answered.headers.get("Access-Control-Allow-Origin"), "http://localhost:6274");
  assert.match(answered.headers.get("Access-Control-Expose-Headers")!, /Mcp-Protocol-Version/);
  assert.match(answered.headers.get("Vary") ?? "", /\bOrigin\b/);
  await answered.body?.cancel();
});

Deno.test("a body over 1 MiB gets 413 and changes nothing", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const big = JSON.stringify(toolCall("createTodo", { todoText: "x".repeat(MAX_MCP_BODY_BYTES) }));
  const declared = await env.post(token, big);
  assert.equal(declared.status, 413);
  assert.equal((await declared.json()).error.code, -32600);

  // Streamed without Content-Length: cut off once the limit is passed.
  const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ > 20) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const streamed = await env.app.request("/mcp", {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
    },
    body: stream,
  });
  assert.equal(streamed.status, 413);
  await streamed.body?.cancel();
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), []);
});

Deno.test("malformed JSON-RPC gets a JSON-RPC error, never a 500", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const cases: [string, unknown, number, number][] = [
    ["not JSON", "{oops", 400, -32700],
    ["not JSON-RPC", { hello: "world" }, 400, -32600],
    ["null", null, 400, -32600],
    ["a number", 42, 400, -32600],
    ["a batch of numbers", [1, 2], 400, -32600],
    ["a null id", { jsonrpc: "2.0", id: null, method: "ping" }, 400, -32600],
    ["an object id", { jsonrpc: "2.0", id: { a: 1 }, method: "ping" }, 400, -32600],
    [
      "an id beyond safe integers",
      `{"jsonrpc":"2.0","id":${"9".repeat(400)},"method":"ping"}`,
      400,
      -32600,
    ],
    ["jsonrpc 1.0", { jsonrpc: "1.0", id: 1, method: "ping" }, 400, -32600],
    ["empty batch", [], 400, -32600],
    [
      "two initializations in one batch",
      [initializeRequest("2025-06-18", 1), initializeRequest("2025-06-18", 2)],
      400,
      -32600,
    ],
    ["unknown method", { jsonrpc: "2.0", id: 1, method: "todos/explode" }, 200, -32601],
  ];
  for (const [name, body, status, code] of cases) {
    const response = await env.post(token, body);
    assert.equal(response.status, status, name);
    const json = await response.json();
    assert.equal(json.jsonrpc, "2.0", name);
    assert.equal(json.error.code, code, name);
  }
  const wrongType = await env.post(token, initializeRequest(), { "Content-Type": "text/plain" });
  assert.equal(wrongType.status, 415);
  await wrongType.body?.cancel();
  for (const accept of ["text/html", "application/json", "text/event-stream", ""]) {
    const wrongAccept = await env.post(token, initializeRequest(), { Accept: accept });
    assert.equal(wrongAccept.status, 406, `Accept: ${accept}`);
    const json = await wrongAccept.json();
    assert.equal(json.jsonrpc, "2.0");
    assert.match(json.error.message, /accept both application\/json and text\/event-stream/);
  }
});

Deno.test("requests whose params do not fit their method get -32602, not an internal error", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const request = (method: string, params: unknown) => ({ jsonrpc: "2.0", id: 7, method, params });
  const cases: [string, unknown, RegExp][] = [
    ["no tool name", request("tools/call", {}), /params\.name/],
    ["a numeric tool name", request("tools/call", { name: 5 }), /params\.name/],
    [
      "arguments as a string",
      request("tools/call", { name: "createTodo", arguments: "x" }),
      /arguments/,
    ],
    ["a resource URI that is no URI", request("resources/read", { uri: "::::" }), /uri/],
    ["no resource URI", request("resources/read", {}), /uri/],
    [
      "a numeric prompt argument",
      request("prompts/get", {
        name: "reviewOpenTodos",
        arguments: { focus: 5 },
      }),
      /focus/,
    ],
  ];
  for (const [name, body, mentions] of cases) {
    const response = await env.post(token, body, { "Mcp-Protocol-Version": "2025-11-25" });
    assert.equal(response.status, 200, name);
    const json = await response.json();
    assert.equal(json.id, 7, name);
    assert.equal(json.error?.code, -32602, `${name}: ${JSON.stringify(json)}`);
    assert.match(json.error.message, mentions, name);
    assert.ok(!json.error.message.includes("\n"), `${name}: a one-line message`);
  }
  // In a batch, only the bad request gets the error; the good one is answered.
  const batch = await env.post(token, [request("tools/call", {}), {
    jsonrpc: "2.0",
    id: 8,
    method: "ping",
  }], { "Mcp-Protocol-Version": "2025-06-18" });
  const answers = await batch.json();
  assert.deepEqual(answers.map((a: { id: number }) => a.id).sort(), [7, 8]);
  assert.equal(answers.find((a: { id: number }) => a.id === 7).error.code, -32602);
  assert.deepEqual(answers.find((a: { id: number }) => a.id === 8).result, {});
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), []);
});

Deno.test("/mcp/ with a trailing slash answers like /mcp", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const post = (path: string, auth: string | null) =>
    env.app.request(path, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        ...(auth ? { Authorization: `Bearer ${auth}` } : {}),
      },
      body: JSON.stringify(initializeRequest()),
    });
  const ok = await post("/mcp/", token);
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).result.protocolVersion, "2025-11-25");
  const anonymous = await post("/mcp/", null);
  assert.equal(anonymous.status, 401);
  assert.equal(challenge(anonymous).resource_metadata, PRM_URL);
  await anonymous.body?.cancel();
  const get = await env.app.request("/mcp/", { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(get.status, 405);
  await get.body?.cancel();
  const deeper = await post("/mcp/x", token);
  assert.equal(deeper.status, 404);
  assert.equal((await deeper.json()).error.code, -32000, "a JSON-RPC error, like every /mcp error");
});

Deno.test("GET and DELETE get 405 (stateless: no SSE stream, no session)", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  for (const method of ["GET", "DELETE"]) {
    const response = await env.app.request(MCP_URL, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" },
    });
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get("Allow"), "POST, OPTIONS");
    await response.body?.cancel();
  }
  const anonymous = await env.app.request(MCP_URL, { headers: { Accept: "text/event-stream" } });
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
});
