import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { BULK_BATCH_SIZE } from "./bulk.ts";
import { createTodo, listTodos, setAllCompleted, updateTodo } from "./mod.ts";

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
