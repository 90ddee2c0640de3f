import assert from "node:assert/strict";
import { ConflictError, NotFoundError } from "../errors.ts";
import { BULK_BATCH_SIZE } from "./bulk.ts";
import { UNDO_WINDOW_MS } from "./deletions.ts";
import { lastDeletionKey, todoCountKey } from "./keys.ts";
import {
  clearCompleted,
  createTodo,
  deleteTodoUndoably,
  getDeletion,
  listTodos,
  MAX_TODOS,
  undoDeletion,
  updateTodo,
} from "./mod.ts";

/** Creates `n` todos named "0".."n-1" and completes those `completed(i)` picks. */
async function seed(kv: Deno.Kv, n: number, completed: (i: number) => boolean = () => false) {
  const todos = [];
  for (let i = 0; i < n; i++) {
    const todo = await createTodo(kv, "alice", String(i));
    todos.push(completed(i) ? await updateTodo(kv, "alice", todo.id, { completed: true }) : todo);
  }
  return todos;
}

const count = async (kv: Deno.Kv) => (await kv.get<Deno.KvU64>(todoCountKey("alice"))).value?.value;

Deno.test("clearCompleted() deletes only completed todos across batches; undoDeletion() brings them back in place", async () => {
  using kv = await Deno.openKv(":memory:");
  const n = BULK_BATCH_SIZE * 3 + 7;
  const before = await seed(kv, n, (i) => i % 4 !== 1);
  const done = before.filter((t) => t.completed);
  const deletion = await clearCompleted(kv, "alice");
  assert.deepEqual(deletion.todos, done);
  assert.deepEqual(await listTodos(kv, "alice"), before.filter((t) => !t.completed));
  assert.equal(await count(kv), BigInt(n - done.length));
  assert.deepEqual((await getDeletion(kv, "alice", deletion.token))?.todos, done);

  const restored = await undoDeletion(kv, "alice", deletion.token);
  assert.deepEqual(restored, done);
  assert.deepEqual(await listTodos(kv, "alice"), before);
  assert.equal(await count(kv), BigInt(n));
  assert.equal(await getDeletion(kv, "alice", deletion.token), null);
  await assert.rejects(() => undoDeletion(kv, "alice", deletion.token), NotFoundError);
  assert.deepEqual(await listTodos(kv, "alice"), before);
});

Deno.test("deleteTodoUndoably() can be undone once, with the same text, state and place", async () => {
  using kv = await Deno.openKv(":memory:");
  const [a, b, c] = await seed(kv, 3, (i) => i === 1);
  const deletion = await deleteTodoUndoably(kv, "alice", b.id);
  assert.deepEqual(deletion.todos, [b]);
  assert.deepEqual(await listTodos(kv, "alice"), [a, c]);
  assert.deepEqual(await undoDeletion(kv, "alice", deletion.token), [b]);
  assert.deepEqual(await listTodos(kv, "alice"), [a, b, c]);
  assert.equal(await count(kv), 3n);
});

Deno.test("undoDeletion() refuses a wrong, replaced, foreign or expired token and changes nothing", async () => {
  using kv = await Deno.openKv(":memory:");
  const [a, b, c] = await seed(kv, 3);
  const first = await deleteTodoUndoably(kv, "alice", a.id);
  const second = await deleteTodoUndoably(kv, "alice", b.id);
  for (const token of [first.token, "nope", 42, null, "0".repeat(26)]) {
    await assert.rejects(() => undoDeletion(kv, "alice", token), NotFoundError);
  }
  await assert.rejects(() => undoDeletion(kv, "bob", second.token), NotFoundError);
  assert.deepEqual(await listTodos(kv, "alice"), [c]);
  // Older than the window (the key may outlive its expireIn for a while).
  const record = await kv.get<{ at: number }>(lastDeletionKey("alice"));
  await kv.set(lastDeletionKey("alice"), {
    ...record.value,
    at: Date.now() - UNDO_WINDOW_MS - 1,
  });
  await assert.rejects(() => undoDeletion(kv, "alice", second.token), NotFoundError);
  assert.deepEqual(await listTodos(kv, "alice"), [c]);
  assert.equal(await count(kv), 1n);
});

Deno.test("deleteTodoUndoably() refuses unknown and malformed ids and keeps the last undo", async () => {
  using kv = await Deno.openKv(":memory:");
  const [a] = await seed(kv, 2);
  const deletion = await deleteTodoUndoably(kv, "alice", a.id);
  for (const bad of [a.id, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "../x", ""]) {
    await assert.rejects(() => deleteTodoUndoably(kv, "alice", bad), NotFoundError);
  }
  assert.deepEqual(await undoDeletion(kv, "alice", deletion.token), [a]);
});

Deno.test("undoDeletion() refuses to go over the todo limit", async () => {
  using kv = await Deno.openKv(":memory:");
  const [a] = await seed(kv, 1);
  const deletion = await deleteTodoUndoably(kv, "alice", a.id);
  await kv.set(todoCountKey("alice"), new Deno.KvU64(BigInt(MAX_TODOS)));
  await assert.rejects(
    () => undoDeletion(kv, "alice", deletion.token),
    (e) => e instanceof ConflictError && e.code === "todo_limit_reached",
  );
  assert.deepEqual(await listTodos(kv, "alice"), []);
});
