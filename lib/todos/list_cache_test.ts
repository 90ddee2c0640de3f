import assert from "node:assert/strict";
import { todoKey } from "./keys.ts";
import { ListCache, setListCacheBudget } from "./list_cache.ts";
import { listTodos, readList } from "./reads.ts";
import { createTodo, deleteTodo, updateTodo } from "./store.ts";
import type { Todo } from "./rules.ts";

const ALICE = "user-alice";

const todo = (id: string): Todo => ({
  id,
  text: id,
  completed: false,
  createdAt: new Date(0).toISOString(),
  updatedAt: new Date(0).toISOString(),
});

Deno.test("readList() answers from the kept list while the change marker stands", async () => {
  using kv = await Deno.openKv(":memory:");
  const first = await createTodo(kv, ALICE, "one");
  const read = await readList(kv, ALICE);
  // Written around the store, so the marker does not move: only a kept list misses it.
  await kv.set(todoKey(ALICE, "01ZZZZZZZZZZZZZZZZZZZZZZZZ"), todo("01ZZZZZZZZZZZZZZZZZZZZZZZZ"));
  const again = await readList(kv, ALICE);
  assert.equal(again, read);
  assert.deepEqual(again.todos.map((t) => t.id), [first.id]);
});

Deno.test("with a budget of 0 todos, every readList() lists", async () => {
  using kv = await Deno.openKv(":memory:");
  setListCacheBudget(kv, 0);
  await createTodo(kv, ALICE, "one");
  await readList(kv, ALICE);
  await kv.set(todoKey(ALICE, "01ZZZZZZZZZZZZZZZZZZZZZZZZ"), todo("01ZZZZZZZZZZZZZZZZZZZZZZZZ"));
  assert.equal((await readList(kv, ALICE)).todos.length, 2);
});

Deno.test("every write through the store is seen by the next list", async () => {
  using kv = await Deno.openKv(":memory:");
  const a = await createTodo(kv, ALICE, "a");
  assert.deepEqual((await listTodos(kv, ALICE)).map((t) => t.text), ["a"]);
  const b = await createTodo(kv, ALICE, "b");
  assert.deepEqual((await listTodos(kv, ALICE)).map((t) => t.text), ["a", "b"]);
  await updateTodo(kv, ALICE, a.id, { completed: true });
  assert.deepEqual((await listTodos(kv, ALICE)).map((t) => t.completed), [true, false]);
  await deleteTodo(kv, ALICE, b.id);
  assert.deepEqual((await listTodos(kv, ALICE)).map((t) => t.id), [a.id]);
});

Deno.test("listed todos are frozen, and the array is the caller's own", async () => {
  using kv = await Deno.openKv(":memory:");
  await createTodo(kv, ALICE, "shared");
  const mine = await listTodos(kv, ALICE);
  assert.throws(() => (mine[0] as { text: string }).text = "changed", TypeError);
  mine.pop();
  assert.equal((await listTodos(kv, ALICE)).length, 1);
});

Deno.test("ListCache keeps at most its budget of todos, dropping the least recently used", () => {
  const cache = new ListCache(5);
  const list = (stamp: string, count: number) => ({
    versionstamp: stamp,
    todos: Array.from({ length: count }, (_, i) => todo(`${stamp}-${i}`)),
  });
  cache.set("a", list("1", 2));
  cache.set("b", list("1", 2));
  assert.ok(cache.get("a", "1")); // a is now the most recently used
  cache.set("c", list("1", 2)); // 6 > 5: b goes
  assert.equal(cache.get("b", "1"), undefined);
  assert.ok(cache.get("a", "1"));
  assert.deepEqual(cache.size, { lists: 2, todos: 4 });
  cache.set("a", list("2", 1)); // a newer list replaces the older one
  assert.equal(cache.get("a", "1"), undefined);
  assert.deepEqual(cache.size, { lists: 2, todos: 3 });
  cache.set("d", list("1", 6)); // larger than the whole budget: not kept
  cache.set("e", { versionstamp: null, todos: [] }); // no marker yet: not kept
  assert.deepEqual(cache.size, { lists: 2, todos: 3 });
});
