import assert from "node:assert/strict";
import { accessFor, requiredScopes } from "./scopes.ts";

const call = (name: unknown) => ({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name } });

Deno.test("reading tools and methods need read, changing tools need write", () => {
  assert.equal(accessFor(call("listTodos")), "read");
  for (const name of ["createTodo", "markTodoComplete", "markTodoIncomplete", "updateTodo"]) {
    assert.equal(accessFor(call(name)), "write", name);
  }
  assert.equal(accessFor(call("deleteTodo")), "write");
  for (const method of ["resources/list", "resources/read", "prompts/get"]) {
    assert.equal(accessFor({ jsonrpc: "2.0", id: 1, method }), "read", method);
  }
});

Deno.test("discovery, unknown tools and non-requests need no scope", () => {
  for (
    const method of [
      "server/discover",
      "initialize",
      "ping",
      "tools/list",
      "prompts/list",
      "resources/templates/list",
    ]
  ) {
    assert.equal(accessFor({ jsonrpc: "2.0", id: 1, method }), null, method);
  }
  for (const name of ["noSuchTool", "toString", "__proto__", 42, undefined]) {
    assert.equal(accessFor(call(name)), null, String(name));
  }
  for (const message of [null, "tools/call", 7, { id: 1 }, { method: 5 }]) {
    assert.equal(accessFor(message), null);
  }
});

Deno.test("a batch needs every scope any of its messages needs, read first", () => {
  assert.deepEqual(requiredScopes([call("deleteTodo"), call("listTodos")]), [
    "read:todos",
    "write:todos",
  ]);
  assert.deepEqual(requiredScopes(call("createTodo")), ["write:todos"]);
  assert.deepEqual(
    requiredScopes({ jsonrpc: "2.0", method: "notifications/initialized" }),
    [],
  );
});
