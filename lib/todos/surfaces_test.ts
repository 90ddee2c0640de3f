/**
 * The todo rules (./rules.ts) are declared once and every surface derives its limits from
 * them. These checks fail when a surface states a limit of its own that disagrees: the MCP
 * tools' input schemas, the REST API's boundary, the todo page's inputs.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { call, setup } from "../testing/api.ts";
import { createTestApp, sessionUser, TEST_ORIGIN } from "../testing/app.ts";
import { startMcpTestEnv } from "../testing/mcp.ts";
import { createTodo, MAX_TEXT_LENGTH } from "./mod.ts";
import { TodoId, TodoText } from "./rules.ts";

/** The limits the rules state in JSON Schema (what MCP clients see). */
const TEXT = z.toJSONSchema(TodoText, { io: "input" });
const ID = z.toJSONSchema(TodoId, { io: "input" });

Deno.test("the rules' limits are the numbers of lib/todos/limits.ts", () => {
  assert.equal(TEXT.maxLength, MAX_TEXT_LENGTH);
  assert.equal(TEXT.minLength, 1);
  assert.ok(ID.pattern);
});

Deno.test("MCP tools/list advertises the rules' limits for every todo text and id argument", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connect(await env.token("user-a"));
  const { tools } = await client.listTools();
  const argument = (tool: string, name: string) => {
    const schema = tools.find((t) => t.name === tool)?.inputSchema.properties?.[name];
    assert.ok(schema, `${tool}.${name}`);
    return schema as { maxLength?: number; minLength?: number; pattern?: string };
  };
  for (const [tool, name] of [["createTodo", "todoText"], ["updateTodo", "text"]]) {
    const text = argument(tool, name);
    assert.equal(text.maxLength, TEXT.maxLength, `${tool}.${name} maxLength`);
    assert.equal(text.minLength, TEXT.minLength, `${tool}.${name} minLength`);
  }
  for (const tool of ["markTodoComplete", "markTodoIncomplete", "updateTodo", "deleteTodo"]) {
    assert.equal(argument(tool, "todoID").pattern, ID.pattern, `${tool}.todoID pattern`);
  }
  // And the server holds to what it advertises: the rule's length passes, one more does not.
  const at = await client.callTool({
    name: "createTodo",
    arguments: { todoText: "x".repeat(TEXT.maxLength!) },
  });
  assert.notEqual(at.isError, true);
  const over = await client.callTool({
    name: "createTodo",
    arguments: { todoText: "x".repeat(TEXT.maxLength! + 1) },
  });
  assert.equal(over.isError, true);
  await client.close();
});

Deno.test("REST accepts text of exactly the rule's length and answers 400 one character above", async () => {
  const { t, alice } = await setup();
  using _ = t;
  const max = TEXT.maxLength!;
  const post = (todoText: string) =>
    call(t, alice, "/todos", { method: "POST", body: { todoText } });
  const created = await post("x".repeat(max));
  assert.equal(created.status, 201);
  // Characters are code points, as in the rule and JSON Schema: an emoji counts once.
  assert.equal((await post("🙂".repeat(max))).status, 201);
  for (
    const [method, path, body] of [
      ["POST", "/todos", { todoText: "x".repeat(max + 1) }],
      ["PATCH", `/todos/${created.json.todo.id}`, { text: "x".repeat(max + 1) }],
    ] as const
  ) {
    const over = await call(t, alice, path, { method, body });
    assert.equal(over.status, 400, `${method} ${path}`);
    assert.equal(over.json.error.code, "invalid_request");
    assert.match(over.json.error.message, new RegExp(`at most ${max} characters`));
  }
});

Deno.test("the todo page's new-todo and edit inputs carry the rule's maxlength", async () => {
  using t = await createTestApp();
  const cookie = await t.signIn("ada@example.com");
  const request = new Request(TEST_ORIGIN, { headers: { Cookie: cookie } });
  const user = (await sessionUser(t.deps.identity, request))!;
  const todo = await createTodo(t.kv, user.id, "Buy milk");
  const res = await t.request(`/todoapp?edit=${todo.id}`, { headers: { Cookie: cookie } });
  assert.equal(res.status, 200);
  const html = await res.text();
  const maxlengthOf = (id: string) =>
    html.match(new RegExp(`<input id="${id}"[^>]* maxlength="(\\d+)"`))?.[1];
  assert.equal(maxlengthOf("new-todo"), String(TEXT.maxLength));
  assert.equal(maxlengthOf(`edit-${todo.id}`), String(TEXT.maxLength));
});
