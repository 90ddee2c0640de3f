import assert from "node:assert/strict";
import { packTodos, pageUrl, unpackTodos } from "./view.ts";

Deno.test("pageUrl() leaves out filter=all and empty parameters, and keeps the fragment", () => {
  assert.equal(pageUrl("all"), "/todoapp");
  assert.equal(pageUrl("all", { edit: null, at: "" }, "new-todo"), "/todoapp#new-todo");
  assert.equal(pageUrl("active", { edit: "01J0ABC" }), "/todoapp?filter=active&edit=01J0ABC");
  assert.equal(pageUrl("all", { at: "01J0ABC", undo: "t-1" }), "/todoapp?at=01J0ABC&undo=t-1");
});

Deno.test("pageUrl() percent-encodes values so they read back unchanged", () => {
  const value = "a b&c=d#e?f/é+";
  const url = new URL(pageUrl("completed", { undo: value }, "x"), "http://localhost");
  assert.equal(url.searchParams.get("undo"), value);
  assert.equal(url.searchParams.get("filter"), "completed");
  assert.equal(url.hash, "#x");
});

Deno.test("packTodos() keeps only id, text and state, and unpackTodos() reads them back", () => {
  const todos = [
    { id: "01J0ABC", text: "Buy milk", completed: false, createdAt: 1 },
    { id: "01J0ABD", text: '<b>"quoted"</b>', completed: true, createdAt: 2 },
  ];
  const packed = packTodos(todos);
  assert.deepEqual(packed, [["01J0ABC", "Buy milk", 0], ["01J0ABD", '<b>"quoted"</b>', 1]]);
  assert.deepEqual(unpackTodos(JSON.parse(JSON.stringify(packed))), [
    { id: "01J0ABC", text: "Buy milk", completed: false },
    { id: "01J0ABD", text: '<b>"quoted"</b>', completed: true },
  ]);
});
