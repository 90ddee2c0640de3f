import assert from "node:assert/strict";
import { pageUrl } from "./todo_view.ts";

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
