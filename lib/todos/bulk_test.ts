import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { BULK_BATCH_SIZE } from "./bulk.ts";
import {
  clearCompleted,
  createTodo,
  getDeletion,
  listTodos,
  resumeDeletion,
  resumePendingBulks,
  setAllCompleted,
  undoDeletion,
  updateTodo,
} from "./mod.ts";
import { pendingBulkKey } from "./keys.ts";
import { hasPendingBulks } from "./pending_bulks.ts";

Deno.test("setAllCompleted() marks every todo across several batches, in place, and only those that change", async () => {
  using kv = await Deno.openKv(":memory:");
  const n = BULK_BATCH_SIZE * 2 + 5;
  const before = [];
  for (let i = 0; i < n; i++) {
    const todo = await createTodo(kv, "alice", String(i));
    before.push(i % 3 === 0 ? await updateTodo(kv, "alice", todo.id, { completed: true }) : todo);
  }
  const open = before.filter((t) => !t.completed).length;
  assert.equal(await setAllCompleted(kv, "alice", true), open);
  const after = await listTodos(kv, "alice");
  assert.deepEqual(after.map((t) => t.id), before.map((t) => t.id));
  assert.ok(after.every((t) => t.completed));
  assert.equal(await setAllCompleted(kv, "alice", true), 0);
  assert.equal(await setAllCompleted(kv, "alice", false), n);
  assert.ok((await listTodos(kv, "alice")).every((t) => !t.completed));
  await assert.rejects(
    () => setAllCompleted(kv, "alice", "yes" as unknown as boolean),
    ValidationError,
  );
  await createTodo(kv, "bob", "untouched");
  await setAllCompleted(kv, "alice", true);
  assert.equal((await listTodos(kv, "bob"))[0].completed, false);
});

Deno.test("a bulk change stopped mid-way is finished at start-up from its stored record", async () => {
  using kv = await Deno.openKv(":memory:");
  const todos = [];
  for (let i = 0; i < 120; i++) todos.push(await createTodo(kv, "u1", `todo ${i}`));
  const ids = todos.map((todo) => todo.id);
  // As a process killed after the record and the first batch leaves it:
  await kv.set(pendingBulkKey("u1", "op1"), { kind: "complete", completed: true, ids });
  for (const id of ids.slice(0, BULK_BATCH_SIZE)) {
    await updateTodo(kv, "u1", id, { completed: true });
  }

  assert.equal(await hasPendingBulks(kv), true, "start-up sees the record");
  assert.equal(await resumePendingBulks(kv, resumeDeletion), 1);
  assert.ok((await listTodos(kv, "u1")).every((todo) => todo.completed));
  assert.equal((await Array.fromAsync(kv.list({ prefix: ["todos_bulk"] }))).length, 0);
  assert.equal(await hasPendingBulks(kv), false, "nothing left for the next start");

  await kv.set(pendingBulkKey("u1", "op2"), { kind: "clear", token: "t1", ids });
  assert.equal(await resumePendingBulks(kv, resumeDeletion), 1);
  assert.deepEqual(await listTodos(kv, "u1"), []);
  assert.equal((await getDeletion(kv, "u1", "t1"))?.todos.length, 120, "one undoable deletion");
});

Deno.test("an undo stopped mid-way is finished at start-up; one already finished changes nothing", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let i = 0; i < 120; i++) await createTodo(kv, "u1", `todo ${i}`);
  await setAllCompleted(kv, "u1", true);
  const { token, todos } = await clearCompleted(kv, "u1");
  const ids = todos.map((todo) => todo.id);
  // As a process killed after recording the undo, before its first batch:
  await kv.set(pendingBulkKey("u1", "op3"), { kind: "undo", token, ids });
  assert.equal(await resumePendingBulks(kv, resumeDeletion), 1);
  assert.deepEqual((await listTodos(kv, "u1")).map((todo) => todo.id), ids);
  assert.equal(await getDeletion(kv, "u1", token), null, "the deletion is used up");

  // As a process killed after the last batch, before the record went: nothing more happens.
  await kv.set(pendingBulkKey("u1", "op4"), { kind: "undo", token, ids });
  assert.equal(await resumePendingBulks(kv, resumeDeletion), 1);
  assert.equal((await listTodos(kv, "u1")).length, 120);
  assert.equal((await Array.fromAsync(kv.list({ prefix: ["todos_bulk"] }))).length, 0);
});

Deno.test("a finished bulk change leaves no record behind", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let i = 0; i < 60; i++) await createTodo(kv, "u1", `todo ${i}`);
  assert.equal(await setAllCompleted(kv, "u1", true), 60);
  const { token } = await clearCompleted(kv, "u1");
  await undoDeletion(kv, "u1", token);
  assert.equal((await Array.fromAsync(kv.list({ prefix: ["todos_bulk"] }))).length, 0);
  assert.equal(await resumePendingBulks(kv, resumeDeletion), 0);
});
