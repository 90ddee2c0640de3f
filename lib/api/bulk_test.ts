import assert from "node:assert/strict";
import type { Todo } from "../todos/mod.ts";
import { call, setup } from "../testing/api.ts";

Deno.test("PATCH /api/todos marks every todo complete or incomplete and keeps the order", async () => {
  const { t, alice } = await setup();
  using _ = t;
  for (const todoText of ["a", "b", "c"]) {
    await call(t, alice, "/todos", { method: "POST", body: { todoText } });
  }
  const all = await call(t, alice, "/todos", { method: "PATCH", body: { completed: true } });
  assert.equal(all.status, 200);
  assert.deepEqual(all.json.todos.map((x: Todo) => [x.text, x.completed]), [
    ["a", true],
    ["b", true],
    ["c", true],
  ]);
  const none = await call(t, alice, "/todos", { method: "PATCH", body: { completed: false } });
  assert.ok(none.json.todos.every((x: Todo) => !x.completed));
  for (const body of [{}, { completed: "yes" }, { completed: true, text: "x" }]) {
    const bad = await call(t, alice, "/todos", { method: "PATCH", body });
    assert.equal(bad.status, 400, JSON.stringify(body));
    assert.equal(bad.json.error.code, "invalid_request");
  }
  assert.ok((await call(t, alice, "/todos")).json.todos.every((x: Todo) => !x.completed));
});

Deno.test("DELETE /api/todos?completed=true clears completed todos; POST /api/todos/undo restores them in place", async () => {
  const { t, alice } = await setup();
  using _ = t;
  for (const todoText of ["a", "b", "c"]) {
    await call(t, alice, "/todos", { method: "POST", body: { todoText } });
  }
  const before = (await call(t, alice, "/todos")).json.todos as Todo[];
  await call(t, alice, `/todos/${before[0].id}/complete`, { method: "POST" });
  await call(t, alice, `/todos/${before[2].id}/complete`, { method: "POST" });

  const refused = await call(t, alice, "/todos", { method: "DELETE" });
  assert.equal(refused.status, 400);
  assert.equal((await call(t, alice, "/todos")).json.todos.length, 3);

  const cleared = await call(t, alice, "/todos?completed=true", { method: "DELETE" });
  assert.equal(cleared.status, 200);
  assert.deepEqual(Object.keys(cleared.json), ["undo"]);
  assert.deepEqual((await call(t, alice, "/todos")).json.todos.map((x: Todo) => x.text), ["b"]);
  assert.equal(cleared.json.undo.count, 2);
  assert.deepEqual(cleared.json.undo.todos.map((x: Todo) => x.text), ["a", "c"]);

  const undone = await call(t, alice, "/todos/undo", {
    method: "POST",
    body: { token: cleared.json.undo.token },
  });
  assert.equal(undone.status, 200);
  assert.deepEqual(undone.json.todos.map((x: Todo) => [x.text, x.completed]), [
    ["a", true],
    ["b", false],
    ["c", true],
  ]);
  const again = await call(t, alice, "/todos/undo", {
    method: "POST",
    body: { token: cleared.json.undo.token },
  });
  assert.equal(again.status, 404);
  assert.match(again.json.error.message, /nothing to undo/);
  for (const body of [{}, { token: 5 }, { token: "x".repeat(101) }]) {
    const bad = await call(t, alice, "/todos/undo", { method: "POST", body });
    assert.equal(bad.status, 400, JSON.stringify(body));
  }
});

Deno.test("DELETE /api/todos/:id answers an undo token that only its owner can use", async () => {
  const { t, alice } = await setup();
  using _ = t;
  const bob = await t.signIn("bob@example.com");
  const created = await call(t, alice, "/todos", { method: "POST", body: { todoText: "mine" } });
  const deleted = await call(t, alice, `/todos/${created.json.todo.id}`, { method: "DELETE" });
  assert.equal(deleted.json.undo.count, 1);
  const token = deleted.json.undo.token;
  const stolen = await call(t, bob, "/todos/undo", { method: "POST", body: { token } });
  assert.equal(stolen.status, 404);
  assert.deepEqual((await call(t, bob, "/todos")).json.todos, []);
  const undone = await call(t, alice, "/todos/undo", { method: "POST", body: { token } });
  assert.deepEqual(undone.json.todos, [created.json.todo]);
});
