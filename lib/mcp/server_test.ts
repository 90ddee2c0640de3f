/**
 * The MCP tools, resources and prompt, through the SDK's own Client over Streamable HTTP
 * against the real app (in-process), with real tokens from the test issuer.
 */
import { McpError } from "../testing/mcp_sdk.ts";
import assert from "node:assert/strict";
import { initializeRequest, startMcpTestEnv } from "../testing/mcp.ts";
import { listTodos, type Todo } from "../todos/mod.ts";
import { VIEW_URI } from "./app_resource.ts";
import { authInfoFor } from "./context.ts";
import { needsOf } from "./needs.ts";
import { createTodoServerFactory } from "./server.ts";

type ToolResult = {
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

/** The structured result of a successful call, after checking its text is the same JSON. */
function ok(result: unknown): Record<string, unknown> {
  const r = result as ToolResult;
  assert.notEqual(r.isError, true, r.content[0]?.text);
  assert.equal(r.content[0].type, "text");
  assert.deepEqual(JSON.parse(r.content[0].text!), r.structuredContent);
  return r.structuredContent!;
}

/** The message of an `isError` result. */
function failed(result: unknown): string {
  const r = result as ToolResult;
  assert.equal(r.isError, true);
  return r.content[0].text!;
}

Deno.test("tools/list offers the six tools with titles, annotations and output schemas", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connect(await env.token("user-a"));
  const { tools } = await client.listTools();
  const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
  assert.deepEqual(Object.keys(byName).sort(), [
    "createTodo",
    "deleteTodo",
    "listTodos",
    "markTodoComplete",
    "markTodoIncomplete",
    "updateTodo",
  ]);
  for (const tool of tools) {
    assert.ok(tool.title && tool.description, tool.name);
    assert.equal(tool.outputSchema?.type, "object", tool.name);
    assert.equal(typeof tool.annotations?.readOnlyHint, "boolean", tool.name);
  }
  assert.equal(byName.listTodos.annotations?.readOnlyHint, true);
  assert.equal(byName.deleteTodo.annotations?.destructiveHint, true);
  assert.equal(byName.createTodo.annotations?.idempotentHint, false);
  assert.equal(byName.markTodoComplete.annotations?.idempotentHint, true);
  assert.deepEqual(byName.createTodo.inputSchema.required, ["todoText"]);
  assert.deepEqual(byName.updateTodo.inputSchema.required?.toSorted(), ["text", "todoID"]);
  assert.deepEqual(
    (byName.listTodos.inputSchema.properties?.filter as { enum: string[] }).enum,
    ["all", "open", "completed"],
  );
  await client.close();
});

Deno.test("createTodo stores a trimmed todo and answers with its JSON", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connect(await env.token("user-a"));
  const { todo } = ok(
    await client.callTool({ name: "createTodo", arguments: { todoText: "  Buy milk " } }),
  ) as { todo: Todo };
  assert.equal(todo.text, "Buy milk");
  assert.equal(todo.completed, false);
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), [todo]);
  await client.close();
});

Deno.test("listTodos lists all, open or completed todos with counts", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connect(await env.token("user-a"));
  const ids: string[] = [];
  for (const text of ["one", "two", "three"]) {
    const { todo } = ok(
      await client.callTool({ name: "createTodo", arguments: { todoText: text } }),
    ) as { todo: Todo };
    ids.push(todo.id);
  }
  ok(await client.callTool({ name: "markTodoComplete", arguments: { todoID: ids[0] } }));

  const all = ok(await client.callTool({ name: "listTodos", arguments: {} })) as {
    filter: string;
    todos: Todo[];
    counts: { open: number; completed: number };
  };
  assert.equal(all.filter, "all");
  assert.deepEqual(all.todos.map((t) => t.text).toSorted(), ["one", "three", "two"]);
  assert.deepEqual(all.counts, { open: 2, completed: 1 });
  const open = ok(
    await client.callTool({ name: "listTodos", arguments: { filter: "open" } }),
  ) as { todos: Todo[] };
  assert.deepEqual(open.todos.map((t) => t.text).toSorted(), ["three", "two"]);
  const done = ok(
    await client.callTool({ name: "listTodos", arguments: { filter: "completed" } }),
  ) as { todos: Todo[] };
  assert.deepEqual(done.todos.map((t) => t.id), [ids[0]]);
  await client.close();
});

Deno.test("listTodos answers a change made elsewhere at once, after answering the same list again", async () => {
  await using env = await startMcpTestEnv();
  const { id, cookie } = await env.user("dana@example.com");
  const client = await env.connect(await env.token(id));
  ok(await client.callTool({ name: "createTodo", arguments: { todoText: "Kept" } }));
  const list = async (filter: string) =>
    ok(await client.callTool({ name: "listTodos", arguments: { filter } })) as {
      todos: Todo[];
      counts: { open: number; completed: number };
    };
  for (const filter of ["all", "open", "completed", "all", "open", "completed"]) await list(filter);
  const [todo] = (await list("all")).todos;
  assert.deepEqual((await list("open")).counts, { open: 1, completed: 0 });

  const patched = await env.app.request(`/api/todos/${todo.id}`, {
    method: "PATCH",
    headers: { Cookie: cookie, "Content-Type": "application/json" },
    body: JSON.stringify({ completed: true }),
  });
  assert.equal(patched.status, 200);
  await patched.body?.cancel();
  assert.deepEqual((await list("open")).todos, []);
  assert.deepEqual((await list("completed")).todos.map((t) => t.completed), [true]);
  assert.deepEqual((await list("all")).counts, { open: 0, completed: 1 });
  await client.close();
});

Deno.test("markTodoComplete and markTodoIncomplete set the state, again without change", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connect(await env.token("user-a"));
  const { todo } = ok(
    await client.callTool({ name: "createTodo", arguments: { todoText: "Walk" } }),
  ) as { todo: Todo };
  for (
    const [name, completed] of [
      ["markTodoComplete", true],
      ["markTodoComplete", true],
      ["markTodoIncomplete", false],
      ["markTodoIncomplete", false],
    ] as const
  ) {
    const result = ok(await client.callTool({ name, arguments: { todoID: todo.id } })) as {
      todo: Todo;
    };
    assert.equal(result.todo.completed, completed, name);
    assert.equal((await listTodos(env.app.kv, "user-a"))[0].completed, completed, name);
  }
  await client.close();
});

Deno.test("updateTodo replaces the text and keeps the completion state", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connect(await env.token("user-a"));
  const { todo } = ok(
    await client.callTool({ name: "createTodo", arguments: { todoText: "Draft" } }),
  ) as { todo: Todo };
  ok(await client.callTool({ name: "markTodoComplete", arguments: { todoID: todo.id } }));
  const updated = ok(
    await client.callTool({ name: "updateTodo", arguments: { todoID: todo.id, text: "Final" } }),
  ) as { todo: Todo };
  assert.equal(updated.todo.text, "Final");
  assert.equal(updated.todo.completed, true);
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), [updated.todo]);
  await client.close();
});

Deno.test("deleteTodo removes the todo and answers with what it was", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connect(await env.token("user-a"));
  const { todo } = ok(
    await client.callTool({ name: "createTodo", arguments: { todoText: "Temp" } }),
  ) as { todo: Todo };
  const { deleted } = ok(
    await client.callTool({ name: "deleteTodo", arguments: { todoID: todo.id } }),
  ) as { deleted: Todo };
  assert.deepEqual(deleted, todo);
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), []);
  assert.match(
    failed(await client.callTool({ name: "deleteTodo", arguments: { todoID: todo.id } })),
    /No todo with id/,
  );
  await client.close();
});

Deno.test("bad arguments give isError results with a clear message and change nothing", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connect(await env.token("user-a"));
  const { todo } = ok(
    await client.callTool({ name: "createTodo", arguments: { todoText: "Keep me" } }),
  ) as { todo: Todo };
  const before = await listTodos(env.app.kv, "user-a");
  const unknownId = "01HZZZZZZZZZZZZZZZZZZZZZZZ";
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["createTodo", { todoText: "   " }, /must not be empty/],
    ["createTodo", { todoText: "x".repeat(501) }, /at most 500 characters/],
    ["createTodo", {}, /todoText/],
    ["createTodo", { todoText: 42 }, /todoText/],
    ["markTodoComplete", { todoID: unknownId }, /No todo with id/],
    ["markTodoIncomplete", { todoID: "not-an-id" }, /No todo with id/],
    ["updateTodo", { todoID: unknownId, text: "New" }, /No todo with id/],
    ["updateTodo", { todoID: todo.id, text: "" }, /must not be empty/],
    ["updateTodo", { todoID: todo.id }, /text/],
    ["deleteTodo", { todoID: unknownId }, /No todo with id/],
    ["listTodos", { filter: "someday" }, /filter/],
  ];
  for (const [name, args, message] of cases) {
    const text = failed(await client.callTool({ name, arguments: args }));
    assert.match(text, message, name);
    // One message, said once (v1 wrapped it: "MCP error -32602: MCP error -32602: ...").
    assert.doesNotMatch(text, /MCP error/, name);
  }
  // An unknown tool is a protocol error (2025-11-25, tools/Error Handling), not a tool result.
  const unknown = await client.callTool({ name: "noSuchTool", arguments: {} }).then(
    () => null,
    (error) => error,
  );
  assert.ok(unknown instanceof McpError, String(unknown));
  assert.equal(unknown.code, -32602);
  assert.match(unknown.message, /Unknown tool: "noSuchTool".*listTodos/);
  assert.deepEqual(await listTodos(env.app.kv, "user-a"), before);
  await client.close();
});

Deno.test("resources list the todo list and each todo, and read as JSON", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connect(await env.token("user-a"));
  const { todo } = ok(
    await client.callTool({ name: "createTodo", arguments: { todoText: "Read me" } }),
  ) as { todo: Todo };

  const { resources } = await client.listResources();
  assert.deepEqual(resources.map((r) => r.uri), [
    "todoapp://todos",
    VIEW_URI,
    `todoapp://todos/${todo.id}`,
  ]);
  assert.equal(resources[2].name, "Read me");
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ["todoapp://todos/{id}"]);

  const list = await client.readResource({ uri: "todoapp://todos" });
  assert.equal(list.contents[0].mimeType, "application/json");
  assert.deepEqual(JSON.parse((list.contents[0] as { text: string }).text), { todos: [todo] });
  const one = await client.readResource({ uri: `todoapp://todos/${todo.id}` });
  assert.equal(one.contents[0].uri, `todoapp://todos/${todo.id}`);
  assert.deepEqual(JSON.parse((one.contents[0] as { text: string }).text), todo);
  await client.close();
});

Deno.test("reading an unknown todo is a resource-not-found JSON-RPC error", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connect(await env.token("user-a"));
  for (const id of ["01HZZZZZZZZZZZZZZZZZZZZZZZ", "nope"]) {
    const uri = `todoapp://todos/${id}`;
    await assert.rejects(client.readResource({ uri }), (error: unknown) => {
      assert.ok(error instanceof McpError);
      assert.equal(error.code, -32002);
      assert.deepEqual(error.data, { uri });
      return true;
    });
  }
  await client.close();
});

Deno.test("the reviewOpenTodos prompt carries the open todos only", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connect(await env.token("user-a"));
  const { prompts } = await client.listPrompts();
  assert.deepEqual(prompts.map((p) => p.name), ["reviewOpenTodos"]);

  const empty = await client.getPrompt({ name: "reviewOpenTodos", arguments: {} });
  assert.match((empty.messages[0].content as { text: string }).text, /no open todos/);

  const open = ok(
    await client.callTool({ name: "createTodo", arguments: { todoText: "Open one" } }),
  ) as { todo: Todo };
  const done = ok(
    await client.callTool({ name: "createTodo", arguments: { todoText: "Done one" } }),
  ) as { todo: Todo };
  ok(await client.callTool({ name: "markTodoComplete", arguments: { todoID: done.todo.id } }));
  const prompt = await client.getPrompt({
    name: "reviewOpenTodos",
    arguments: { focus: "today" },
  });
  const text = (prompt.messages[0].content as { text: string }).text;
  assert.equal(prompt.messages[0].role, "user");
  assert.match(text, /Focus: today/);
  assert.deepEqual(JSON.parse(text.slice(text.indexOf("["))), [open.todo]);
  await client.close();
});

Deno.test("two users see and change only their own todos", async () => {
  await using env = await startMcpTestEnv();
  const alice = await env.connect(await env.token("user-alice"));
  const bob = await env.connect(await env.token("user-bob"));
  const { todo } = ok(
    await alice.callTool({ name: "createTodo", arguments: { todoText: "Alice's" } }),
  ) as { todo: Todo };

  const bobs = ok(await bob.callTool({ name: "listTodos", arguments: {} })) as { todos: Todo[] };
  assert.deepEqual(bobs.todos, []);
  for (const name of ["markTodoComplete", "deleteTodo"]) {
    assert.match(
      failed(await bob.callTool({ name, arguments: { todoID: todo.id } })),
      /No todo/,
    );
  }
  await assert.rejects(bob.readResource({ uri: `todoapp://todos/${todo.id}` }), McpError);
  assert.deepEqual((await bob.listResources()).resources.map((r) => r.uri), [
    "todoapp://todos",
    VIEW_URI,
  ]);
  assert.deepEqual(await listTodos(env.app.kv, "user-alice"), [todo]);
  await alice.close();
  await bob.close();
});

Deno.test("a write over MCP shows in GET /api/todos for the same user, and the reverse", async () => {
  await using env = await startMcpTestEnv();
  const { id, cookie } = await env.user("carol@example.com");
  const client = await env.connect(await env.token(id));

  const { todo } = ok(
    await client.callTool({ name: "createTodo", arguments: { todoText: "From Claude" } }),
  ) as { todo: Todo };
  const api = await env.app.request("/api/todos", { headers: { Cookie: cookie } });
  assert.equal(api.status, 200);
  assert.deepEqual((await api.json()).todos, [todo]);

  const posted = await env.app.request("/api/todos", {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "application/json" },
    body: JSON.stringify({ todoText: "From the browser" }),
  });
  assert.equal(posted.status, 201);
  await posted.body?.cancel();
  const listed = ok(await client.callTool({ name: "listTodos", arguments: {} })) as {
    todos: Todo[];
  };
  assert.deepEqual(listed.todos.map((t) => t.text), ["From Claude", "From the browser"]);
  await client.close();
});

Deno.test("initialize negotiates 2025-11-25, 2025-06-18, 2025-03-26 and the 2024 revisions", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  for (const version of ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", "2024-10-07"]) {
    const response = await env.post(token, initializeRequest(version));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("Mcp-Session-Id"), null);
    const { result } = await response.json();
    assert.equal(result.protocolVersion, version);
    assert.equal(result.serverInfo.name, "todo-app");
    assert.ok(result.capabilities.tools && result.capabilities.resources);
    assert.ok(result.capabilities.prompts);
  }
  // An unknown version gets the newest 2025 revision, which the client may then refuse.
  const newer = await env.post(token, initializeRequest("2026-07-28"));
  assert.equal((await newer.json()).result.protocolVersion, "2025-11-25");
});

Deno.test("a server for tool calls only declares the tools capability alone; any other declares all", async () => {
  using kv = await Deno.openKv(":memory:");
  const factory = createTodoServerFactory(kv);
  const grant = { userId: "user-a", clientId: "client-a", scopes: ["read:todos"] };
  const capabilitiesFor = async (era: "legacy" | "modern", body: unknown) => {
    const authInfo = authInfoFor(grant, undefined, needsOf(body));
    const server = await factory({ era, authInfo } as Parameters<typeof factory>[0]);
    return ("server" in server ? server.server : server).getCapabilities();
  };
  const call = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "listTodos" } };
  const everything = {
    legacy: {
      tools: { listChanged: false },
      prompts: { listChanged: false },
      resources: { listChanged: false },
    },
    modern: {
      tools: { listChanged: false },
      prompts: { listChanged: false },
      resources: { subscribe: true, listChanged: true },
    },
  };
  for (const era of ["legacy", "modern"] as const) {
    assert.deepEqual(await capabilitiesFor(era, call), { tools: { listChanged: false } }, era);
    assert.deepEqual(await capabilitiesFor(era, [call, call]), { tools: { listChanged: false } });
    for (const method of ["initialize", "server/discover", "tools/list"]) {
      const body = { jsonrpc: "2.0", id: 1, method, params: {} };
      assert.deepEqual(await capabilitiesFor(era, body), everything[era], `${era} ${method}`);
      assert.deepEqual(await capabilitiesFor(era, [call, body]), everything[era]);
    }
  }
});
