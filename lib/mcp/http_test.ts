/**
 * `/mcp` over HTTP: Origin checks, CORS, body limits, malformed JSON-RPC, paths and methods.
 * Raw requests against the real app, real tokens. Authentication and scopes: bearer_test.ts.
 */
import assert from "node:assert/strict";
import { listTodos } from "../todos/mod.ts";
import { TEST_ORIGIN } from "../testing/app.ts";
import {
  bearerChallenge as challenge,
  initializeRequest,
  MCP_URL,
  startMcpTestEnv,
  toolCall,
} from "../testing/mcp.ts";
import { MAX_MCP_BODY_BYTES } from "./post.ts";

const PRM_URL = `${TEST_ORIGIN}/.well-known/oauth-protected-resource/mcp`;

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

Deno.test("CORS: preflight for allowed origins, WWW-Authenticate exposed on 401, Vary only where a cache may store", async () => {
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
  // No cache may store an answer to POST (RFC 9110 §9.3.3): no Vary on them.
  assert.equal(unauthorized.headers.get("Vary"), null);
  await unauthorized.body?.cancel();

  const token = await env.token("user-a");
  const answered = await env.post(token, toolCall("listTodos"), {
    Origin: "http://localhost:6274",
  });
  assert.equal(answered.status, 200);
  assert.equal(answered.headers.get("Access-Control-Allow-Origin"), "http://localhost:6274");
  assert.match(answered.headers.get("Access-Control-Expose-Headers")!, /Mcp-Protocol-Version/);
  assert.equal(answered.headers.get("Vary"), null);
  await answered.body?.cancel();

  // Not a browser: no CORS headers. An answer names a request id only when it is a 500.
  const plain = await env.post(token, toolCall("listTodos"));
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get("Access-Control-Allow-Origin"), null);
  assert.equal(plain.headers.get("Access-Control-Expose-Headers"), null);
  assert.equal(plain.headers.get("X-Request-Id"), null);
  await plain.body?.cancel();

  // A GET's 405 may be stored by a cache (RFC 9110 §15.5.6): it varies by Origin, with or
  // without one.
  const bearer = { Authorization: `Bearer ${token}` };
  for (const headers of [{ ...bearer, Origin: "http://localhost:6274" }, bearer]) {
    const refused = await env.app.request("/mcp", { headers });
    assert.equal(refused.status, 405);
    assert.match(refused.headers.get("Vary") ?? "", /\bOrigin\b/);
    await refused.body?.cancel();
  }
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

Deno.test("a 2025 batch that cancels its own request is refused at once and carries out nothing", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const cancel = (requestId: number) => ({
    jsonrpc: "2.0",
    method: "notifications/cancelled",
    params: { requestId },
  });
  // Bounded: served, such a batch would wait for its cancelled request's answer for good.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refused = await Promise.race([
    env.post(token, [toolCall("createTodo", { todoText: "Buy milk" }, 1), cancel(1)]),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("no answer within 5 s")), 5000);
    }),
  ]).finally(() => clearTimeout(timer));
  assert.equal(refused.status, 400);
  const json = await refused.json();
  assert.equal(json.error.code, -32600);
  assert.match(json.error.message, /cancels one of its own requests/);
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), []);

  // A cancellation of a request elsewhere (no other POST shares this one's server) is no refusal.
  const answered = await env.post(token, [toolCall("listTodos", {}, 1), cancel(2)]);
  assert.equal(answered.status, 200);
  const answer = await answered.json(); // the SDK answers a batch of one request unwrapped
  assert.equal(answer.id, 1);
  assert.deepEqual(answer.result.structuredContent.todos, []);
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

Deno.test("with /mcp mounted, paths next to it go on to the other areas and the app keeps Hono's RegExpRouter", async () => {
  await using env = await startMcpTestEnv();
  const beside = await env.app.request("/mcpx", { headers: { Accept: "application/json" } });
  assert.equal(beside.status, 404);
  assert.equal((await beside.json()).error.code, "not_found", "the app's JSON answer, not MCP's");
  // A route with a custom regex would put every request of the app on the slower TrieRouter.
  const router = env.app.app.router as unknown as { activeRouter: { name: string } };
  assert.equal(router.activeRouter.name, "RegExpRouter");
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

Deno.test("deeply nested JSON under the size limit is refused by the depth check as a 400 parse error (-32700)", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const depth = (MAX_MCP_BODY_BYTES - 100) / 2;
  const params = "[".repeat(depth) + "]".repeat(depth);
  const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${params}}`;
  assert.ok(body.length <= MAX_MCP_BODY_BYTES);
  const response = await env.post(token, body);
  assert.equal(response.status, 400);
  const json = await response.json();
  assert.equal(json.error.code, -32700);
  assert.match(json.error.message, /nests deeper than 64 levels/);
  assert.equal(json.id, null);
  // Ordinary nesting still passes.
  const ok = await env.post(token, toolCall("createTodo", { todoText: "[[[{{{" }));
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
});
