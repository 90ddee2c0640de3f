/**
 * Both protocol eras on one `/mcp`: the v1 SDK client (2025 revisions), the v2 client in
 * `auto` mode and pinned to 2026-07-28, and raw 2026-07-28 requests for the error answers
 * the spec prescribes (envelope, header cross-checks, versions, removed methods, caching).
 */
import assert from "node:assert/strict";
import { listTodos, type Todo } from "../todos/mod.ts";
import { ProtocolErrorV2 } from "../testing/mcp_sdk.ts";
import { initializeRequest, startMcpTestEnv, toolCall } from "../testing/mcp.ts";
import { MAX_MCP_BODY_BYTES } from "./post.ts";

const MODERN = "2026-07-28";
const META = {
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
};

/** A 2026-07-28 request: `_meta` envelope in the body, standard headers to match. */
function modern(
  id: number,
  method: string,
  params: Record<string, unknown> = {},
  meta: Record<string, unknown> = META,
) {
  const name = params.name ?? params.uri;
  return {
    body: { jsonrpc: "2.0", id, method, params: { ...params, _meta: meta } },
    headers: {
      "MCP-Protocol-Version": MODERN,
      "Mcp-Method": method,
      ...(typeof name === "string" ? { "Mcp-Name": name } : {}),
    } as Record<string, string>,
  };
}

/** The 2026 revision first, then the 2025-era ones `/mcp` also serves (2025-11-25 included). */
function assertListsEveryVersion(versions: string[]) {
  assert.equal(versions[0], MODERN);
  assert.ok(versions.includes("2025-11-25"), versions.join());
  assert.ok(versions.includes("2025-06-18"), versions.join());
  assert.deepEqual([...versions].sort().reverse(), versions, "newest first");
}

type ToolResult = { structuredContent?: Record<string, unknown>; isError?: boolean };

Deno.test("a v2 client in auto mode negotiates 2026-07-28, a pinned one too, v1 stays on 2025-11-25", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const auto = await env.connectV2(token, "auto");
  const pinned = await env.connectV2(token, MODERN);
  const legacy = await env.connectV2(token, "legacy");
  const v1 = await env.connect(token);
  assert.equal(auto.getNegotiatedProtocolVersion(), MODERN);
  assert.equal(pinned.getNegotiatedProtocolVersion(), MODERN);
  assert.equal(legacy.getNegotiatedProtocolVersion(), "2025-11-25");
  assert.equal(v1.getServerVersion()?.name, "todo-app");
  for (const client of [auto, pinned, legacy]) {
    assert.equal(client.getServerVersion()?.name, "todo-app");
    assert.equal((await client.listTools()).tools.length, 6);
    assert.match(client.getInstructions() ?? "", /listTodos/);
  }
  for (const client of [auto, pinned, legacy, v1]) await client.close();
});

Deno.test("a todo written in one era is read in the other and through REST", async () => {
  await using env = await startMcpTestEnv();
  const { id, cookie } = await env.user("erin@example.com");
  const token = await env.token(id);
  const v1 = await env.connect(token);
  const v2 = await env.connectV2(token, MODERN);

  const fromV1 = (await v1.callTool({ name: "createTodo", arguments: { todoText: "From 2025" } }))
    .structuredContent as { todo: Todo };
  const listed = (await v2.callTool({ name: "listTodos", arguments: {} })) as ToolResult;
  assert.deepEqual((listed.structuredContent as { todos: Todo[] }).todos, [fromV1.todo]);

  const fromV2 = (await v2.callTool({ name: "createTodo", arguments: { todoText: "From 2026" } }))
    .structuredContent as { todo: Todo };
  await v2.callTool({ name: "markTodoComplete", arguments: { todoID: fromV1.todo.id } });
  const read = await v1.readResource({ uri: `todoapp://todos/${fromV2.todo.id}` });
  assert.deepEqual(JSON.parse((read.contents[0] as { text: string }).text), fromV2.todo);
  // Resource lists are never cached (ttlMs 0): the v2 client sees each write at once.
  const before = await v2.listResources();
  await v1.callTool({ name: "deleteTodo", arguments: { todoID: fromV2.todo.id } });
  const after = await v2.listResources();
  assert.equal(before.resources.length - after.resources.length, 1);

  const api = await env.app.request("/api/todos", { headers: { Cookie: cookie } });
  const { todos } = await api.json() as { todos: Todo[] };
  assert.deepEqual(todos.map((t) => [t.text, t.completed]), [["From 2025", true]]);
  await v1.close();
  await v2.close();
});

Deno.test("server/discover answers capabilities, server info and versions, cacheable for all", async () => {
  await using env = await startMcpTestEnv();
  const { body, headers } = modern(1, "server/discover");
  const response = await env.post(await env.token("user-a"), body, headers);
  assert.equal(response.status, 200);
  const { result, id } = await response.json();
  assert.equal(id, 1);
  assertListsEveryVersion(result.supportedVersions);
  assert.ok(
    result.capabilities.tools && result.capabilities.resources && result.capabilities.prompts,
  );
  // Listen streams carry resource changes (lib/mcp/subscriptions.ts).
  assert.deepEqual(result.capabilities.resources, { subscribe: true, listChanged: true });
  assert.equal(result._meta["io.modelcontextprotocol/serverInfo"].name, "todo-app");
  assert.deepEqual([result.ttlMs, result.cacheScope], [300_000, "public"]);
});

Deno.test("2026 list results carry caching hints: todo data private and uncached", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const hints: Record<string, [number, string]> = {
    "tools/list": [300_000, "public"],
    "prompts/list": [300_000, "public"],
    "resources/templates/list": [300_000, "public"],
    "resources/list": [0, "private"],
  };
  for (const [method, expected] of Object.entries(hints)) {
    const { body, headers } = modern(2, method);
    const { result } = await (await env.post(token, body, headers)).json();
    assert.deepEqual([result.ttlMs, result.cacheScope], expected, method);
  }
  const { body, headers } = modern(3, "resources/read", { uri: "todoapp://todos" });
  const { result } = await (await env.post(token, body, headers)).json();
  assert.deepEqual([result.ttlMs, result.cacheScope], [0, "private"]);
});

Deno.test("2025-era list results carry no caching hints", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  for (const method of ["tools/list", "prompts/list", "resources/list"]) {
    const body = { jsonrpc: "2.0", id: 2, method, params: {} };
    const res = await env.post(token, body, { "MCP-Protocol-Version": "2025-11-25" });
    const { result } = await res.json();
    assert.ok(result && typeof result === "object", method);
    assert.deepEqual([result.ttlMs, result.cacheScope], [undefined, undefined], method);
  }
});

Deno.test("a 2026 request without a valid _meta envelope gets 400 -32602 with its id", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const versionKey = "io.modelcontextprotocol/protocolVersion";
  const capsKey = "io.modelcontextprotocol/clientCapabilities";
  const cases: [string, Record<string, unknown> | undefined, RegExp][] = [
    ["no _meta at all", undefined, /_meta/],
    ["no protocol version", { [capsKey]: {} }, /protocolVersion/],
    ["a numeric protocol version", { ...META, [versionKey]: 20260728 }, /protocolVersion/],
    ["no client capabilities", { [versionKey]: MODERN }, /clientCapabilities/],
    ["capabilities as a string", { ...META, [capsKey]: "all" }, /clientCapabilities/],
  ];
  for (const [index, [name, meta, mentions]] of cases.entries()) {
    const { body, headers } = modern(100 + index, "tools/list", {}, meta ?? {});
    if (meta === undefined) delete (body.params as Record<string, unknown>)._meta;
    const response = await env.post(token, body, headers);
    assert.equal(response.status, 400, name);
    const json = await response.json();
    assert.equal(json.id, 100 + index, name);
    assert.equal(json.error.code, -32602, name);
    assert.match(json.error.message, mentions, name);
  }
});

Deno.test("Mcp-Method or Mcp-Name headers that disagree with the body get 400 -32020", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const method = modern(7, "tools/list");
  const wrongMethod = await env.post(token, method.body, {
    ...method.headers,
    "Mcp-Method": "prompts/list",
  });
  const call = modern(8, "tools/call", { name: "createTodo", arguments: { todoText: "x" } });
  const wrongName = await env.post(token, call.body, { ...call.headers, "Mcp-Name": "listTodos" });
  for (const [response, id] of [[wrongMethod, 7], [wrongName, 8]] as const) {
    assert.equal(response.status, 400);
    const json = await response.json();
    assert.equal(json.id, id);
    assert.equal(json.error.code, -32020);
  }
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), []);
});

Deno.test("an unsupported protocol version gets 400 -32022 listing the supported ones", async () => {
  await using env = await startMcpTestEnv();
  const { body, headers } = modern(9, "tools/list", {}, {
    ...META,
    "io.modelcontextprotocol/protocolVersion": "2027-01-01",
  });
  const response = await env.post(await env.token("user-a"), body, {
    ...headers,
    "MCP-Protocol-Version": "2027-01-01",
  });
  assert.equal(response.status, 400);
  const json = await response.json();
  assert.equal(json.id, 9);
  assert.equal(json.error.code, -32022);
  assertListsEveryVersion(json.error.data.supported);
});

Deno.test("methods removed in 2026-07-28 get 404 -32601 in that era, still work in 2025", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const removed: [string, Record<string, unknown>][] = [
    ["initialize", {
      protocolVersion: MODERN,
      capabilities: {},
      clientInfo: { name: "x", version: "1" },
    }],
    ["ping", {}],
    ["logging/setLevel", { level: "info" }],
    ["resources/subscribe", { uri: "todoapp://todos" }],
    ["resources/unsubscribe", { uri: "todoapp://todos" }],
  ];
  for (const [index, [method, params]] of removed.entries()) {
    const { body, headers } = modern(20 + index, method, params);
    const response = await env.post(token, body, headers);
    assert.equal(response.status, 404, method);
    const json = await response.json();
    assert.deepEqual([json.id, json.error.code], [20 + index, -32601], method);
  }
  const ping = await env.post(token, { jsonrpc: "2.0", id: 1, method: "ping" });
  assert.deepEqual((await ping.json()).result, {});
});

Deno.test("an unknown resource is -32602 with data.uri in 2026, -32002 in 2025", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const uri = "todoapp://todos/01HZZZZZZZZZZZZZZZZZZZZZZZ";
  const v2 = await env.connectV2(token, MODERN);
  await assert.rejects(v2.readResource({ uri }), (error: unknown) => {
    assert.ok(error instanceof ProtocolErrorV2, String(error));
    assert.equal(error.code, -32602);
    assert.deepEqual(error.data, { uri });
    return true;
  });
  await v2.close();
  const legacy = await env.post(token, {
    jsonrpc: "2.0",
    id: 4,
    method: "resources/read",
    params: { uri },
  });
  const json = await legacy.json();
  assert.deepEqual([json.id, json.error.code, json.error.data], [4, -32002, { uri }]);
});

Deno.test("bad tool arguments in the 2026 era give one clear isError message", async () => {
  await using env = await startMcpTestEnv();
  const v2 = await env.connectV2(await env.token("user-a"), MODERN);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "createTodo",
      {},
      /^Input validation error: .*todoText: Todo text must be a string of 1 to 500/,
    ],
    [
      "createTodo",
      { todoText: "  " },
      /^Input validation error: .*todoText: Todo text must not be empty/,
    ],
    ["listTodos", { filter: "someday" }, /filter: must be "all", "open" or "completed"/],
    ["deleteTodo", { todoID: 7 }, /todoID: must be the id of a todo/],
  ];
  for (const [name, args, message] of cases) {
    const result = await v2.callTool({ name, arguments: args });
    assert.equal(result.isError, true, name);
    const text = (result.content[0] as { text: string }).text;
    assert.match(text, message, name);
    assert.doesNotMatch(text, /MCP error|-32602/, name);
  }
  await assert.rejects(v2.callTool({ name: "noSuchTool", arguments: {} }), /Unknown tool/);
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), []);
  await v2.close();
});

Deno.test("the gates stand in front of 2026 requests: 401, Origin 403, scope 403, 413", async () => {
  await using env = await startMcpTestEnv();
  const call = modern(1, "tools/call", { name: "createTodo", arguments: { todoText: "Nope" } });
  const anonymous = await env.post(null, call.body, call.headers);
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get("WWW-Authenticate")!, /resource_metadata=/);
  await anonymous.body?.cancel();

  const token = await env.token("user-a");
  const foreign = await env.post(token, call.body, {
    ...call.headers,
    Origin: "https://evil.example",
  });
  assert.equal(foreign.status, 403);
  await foreign.body?.cancel();

  const readOnly = await env.token("user-a", { scope: "read:todos" });
  const write = await env.post(readOnly, call.body, call.headers);
  assert.equal(write.status, 403);
  assert.match(write.headers.get("WWW-Authenticate")!, /error="insufficient_scope"/);
  await write.body?.cancel();

  const big = modern(2, "tools/call", {
    name: "createTodo",
    arguments: { todoText: "x".repeat(MAX_MCP_BODY_BYTES) },
  });
  const tooLarge = await env.post(token, big.body, big.headers);
  assert.equal(tooLarge.status, 413);
  await tooLarge.body?.cancel();
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), []);

  const v2 = await env.connectV2(await env.token("user-b", { scope: "openid" }), MODERN);
  assert.equal((await v2.listTools()).tools.length, 6);
  await assert.rejects(v2.callTool({ name: "listTodos", arguments: {} }));
  await v2.close();
  const listed = await env.post(readOnly, toolCall("listTodos"), {
    "Mcp-Protocol-Version": "2025-11-25",
  });
  assert.equal(listed.status, 200);
  await listed.body?.cancel();
});

Deno.test("every 2025 version server/discover lists is served: initialize answers with it", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const { body, headers } = modern(1, "server/discover");
  const { result } = await (await env.post(token, body, headers)).json();
  const legacy = (result.supportedVersions as string[]).filter((version) => version !== MODERN);
  assert.ok(legacy.length >= 2);
  for (const version of legacy) {
    const response = await env.post(token, initializeRequest(version));
    assert.equal(response.status, 200, version);
    assert.equal((await response.json()).result.protocolVersion, version);
  }
});
