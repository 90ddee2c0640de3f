import assert from "node:assert/strict";
import { listMarkerKey, todoKey } from "./keys.ts";
import { listBytes, ListCache, listCacheOf, setListCacheBudget } from "./list_cache.ts";
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

Deno.test("readList() handed its marker's entry reads no marker, and ignores another user's", async () => {
  using kv = await Deno.openKv(":memory:");
  await createTodo(kv, ALICE, "one");
  let markerReads = 0;
  const counted = {
    get: (key: Deno.KvKey) => (markerReads++, kv.get(key)),
    list: (selector: Deno.KvListSelector, options?: Deno.KvListOptions) =>
      kv.list(selector, options),
  } as Deno.Kv;
  const marker = await kv.get(listMarkerKey(ALICE));
  const read = await readList(counted, ALICE, marker);
  assert.equal(read.versionstamp, marker.versionstamp);
  assert.equal(await readList(counted, ALICE, marker), read);
  assert.equal(markerReads, 0, "the handed entry stands for the marker");
  await createTodo(kv, "user-bob", "bob's");
  const bobs = await kv.get(listMarkerKey("user-bob"));
  assert.equal(await readList(counted, ALICE, bobs), read);
  assert.equal(markerReads, 1, "another user's marker is read again as Alice's");
});

Deno.test("with a budget of 0 bytes, every readList() lists", async () => {
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

Deno.test("ListCache keeps at most its budget of bytes, dropping the least recently used", () => {
  const list = (stamp: string, count: number) => ({
    versionstamp: stamp,
    todos: Array.from({ length: count }, (_, i) => todo(`${stamp}-${i}`)),
  });
  const two = listBytes(list("1", 2).todos);
  const cache = new ListCache(two * 2 + two / 2); // room for two lists of two, not three
  cache.set("a", list("1", 2));
  cache.set("b", list("1", 2));
  assert.ok(cache.get("a", "1")); // a is now the most recently used
  cache.set("c", list("1", 2)); // over the budget: b goes
  assert.equal(cache.get("b", "1"), undefined);
  assert.ok(cache.get("a", "1"));
  assert.deepEqual(cache.size, { lists: 2, bytes: two * 2 });
  cache.set("a", list("2", 1)); // a newer list replaces the older one
  assert.equal(cache.get("a", "1"), undefined);
  assert.deepEqual(cache.size, { lists: 2, bytes: two + listBytes(list("2", 1).todos) });
  cache.set("d", list("1", 6)); // larger than the whole budget: not kept
  cache.set("e", { versionstamp: null, todos: [] }); // no marker yet: not kept
  assert.equal(cache.size.lists, 2);
});

Deno.test("lists read from KV by many users stay within the byte budget, counted as their JSON", async () => {
  using kv = await Deno.openKv(":memory:");
  const budget = 20_000;
  setListCacheBudget(kv, budget);
  const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
  for (const [i, user] of users.entries()) {
    for (let n = 0; n <= i * 3; n++) await createTodo(kv, user, `Todo ${n} of ${user} `.repeat(4));
  }
  const read = new Map<string, string>();
  for (const user of users) read.set(user, JSON.stringify(await listTodos(kv, user)));
  const cache = listCacheOf(kv);
  assert.ok(cache.size.bytes <= budget, `${cache.size.bytes} bytes kept, bound ${budget}`);
  // What is kept, measured apart from the cache's own count: the JSON of the newest lists.
  let kept = 0;
  const keptUsers = [];
  for (const user of users.toReversed()) {
    const next = kept + read.get(user)!.length;
    if (next > budget) break;
    kept = next;
    keptUsers.push(user);
  }
  assert.equal(cache.size.bytes, kept);
  assert.equal(cache.size.lists, keptUsers.length);
  assert.ok(keptUsers.length > 1 && keptUsers.length < users.length, "the bound decides");
});

Deno.test("a list with text beyond Latin-1 is counted at two bytes a character", () => {
  const latin = [{ ...todo("01ARZ3NDEKTSV4RRFFQ69G5FAV"), text: "café" }];
  const wide = [{ ...todo("01ARZ3NDEKTSV4RRFFQ69G5FAV"), text: "caf✓" }];
  assert.equal(listBytes(latin), JSON.stringify(latin).length);
  assert.equal(listBytes(wide), JSON.stringify(wide).length * 2);
});
