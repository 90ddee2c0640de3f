/**
 * The change marker: every write path of lib/todos/ bumps `["todo_changes", userId]` in the
 * same atomic operation as its write, and reads and refused writes leave it alone.
 */
import * as assert from "node:assert/strict";
import * as todos from "./mod.ts";
import { ValidationError } from "../errors.ts";
import { pendingBulkKey, todoChangesKey, todoKey } from "./keys.ts";
import { isUnchangedSince, readTicket } from "../kv/local_changes.ts";

const ALICE = "user-alice";
const BOB = "user-bob";

/** Exported functions that only read, validate or configure: they must never move the marker. */
const READS = new Set([
  "getTodosVersion",
  "watchTodosVersion",
  "listTodos",
  "readList",
  "listMarkerKey",
  "setListCacheBudget",
  "getTodo",
  "getDeletion",
]);

/** Every exported write, with a call that changes something for a fresh user with 3 todos. */
const WRITES: Record<string, (kv: Deno.Kv, ids: string[]) => Promise<unknown>> = {
  createTodo: (kv) => todos.createTodo(kv, ALICE, "new"),
  updateTodo: (kv, [id]) => todos.updateTodo(kv, ALICE, id, { text: "edited" }),
  deleteTodo: (kv, [id]) => todos.deleteTodo(kv, ALICE, id),
  deleteTodoUndoably: (kv, [id]) => todos.deleteTodoUndoably(kv, ALICE, id),
  clearCompleted: async (kv, [id]) => {
    await todos.updateTodo(kv, ALICE, id, { completed: true });
    return todos.clearCompleted(kv, ALICE);
  },
  setAllCompleted: (kv) => todos.setAllCompleted(kv, ALICE, true),
  resumePendingBulks: async (kv, ids) => {
    await kv.set(pendingBulkKey(ALICE, "interrupted"), { kind: "complete", completed: true, ids });
    return todos.resumePendingBulks(kv, todos.resumeDeletion);
  },
  resumeDeletion: async (kv, [id]) => {
    await kv.set(todoKey(ALICE, id), { ...(await todos.getTodo(kv, ALICE, id)), completed: true });
    return todos.resumeDeletion(kv, ALICE, { kind: "clear", token: "interrupted", ids: [id] });
  },
  undoDeletion: async (kv, [id]) => {
    const { token } = await todos.deleteTodoUndoably(kv, ALICE, id);
    return todos.undoDeletion(kv, ALICE, token);
  },
};

/** A fresh store where Alice has three todos and Bob one. */
async function seeded(): Promise<{ kv: Deno.Kv; ids: string[] }> {
  const kv = await Deno.openKv(":memory:");
  const ids: string[] = [];
  for (const text of ["a", "b", "c"]) ids.push((await todos.createTodo(kv, ALICE, text)).id);
  await todos.createTodo(kv, BOB, "bob's");
  return { kv, ids };
}

Deno.test("every exported function of lib/todos/mod.ts is known as a read or a write", () => {
  const functions = Object.entries(todos).filter(([, value]) => typeof value === "function")
    .map(([name]) => name);
  const unknown = functions.filter((name) => !READS.has(name) && !Object.hasOwn(WRITES, name));
  assert.deepEqual(unknown, [], "classify new exports in READS or WRITES (writes must bump)");
});

for (const [name, write] of Object.entries(WRITES)) {
  Deno.test(`${name}() bumps the user's change marker, and only theirs, and notes the change`, async () => {
    const { kv, ids } = await seeded();
    try {
      const before = await todos.getTodosVersion(kv, ALICE);
      const bobBefore = await kv.get(todoChangesKey(BOB));
      const ticket = readTicket(kv);
      await write(kv, ids);
      assert.ok(await todos.getTodosVersion(kv, ALICE) > before, `${name} did not bump`);
      assert.ok(!isUnchangedSince(kv, ALICE, ticket), `${name} did not note the change here`);
      assert.equal((await kv.get(todoChangesKey(BOB))).versionstamp, bobBefore.versionstamp);
    } finally {
      kv.close();
    }
  });
}

Deno.test("the marker and the write commit together: one versionstamp for both", async () => {
  using kv = await Deno.openKv(":memory:");
  const todo = await todos.createTodo(kv, ALICE, "a");
  const [entry, marker] = await kv.getMany([
    todoKey(ALICE, todo.id),
    todoChangesKey(ALICE),
  ]);
  assert.equal(entry.versionstamp, marker.versionstamp);
  assert.equal(await todos.getTodosVersion(kv, ALICE), 1);
});

Deno.test("reads and refused writes leave the change marker alone", async () => {
  const { kv, ids } = await seeded();
  try {
    const before = (await kv.get(todoChangesKey(ALICE))).versionstamp;
    await todos.listTodos(kv, ALICE);
    await todos.getTodo(kv, ALICE, ids[0]);
    await todos.getDeletion(kv, ALICE, "nope");
    await assert.rejects(todos.createTodo(kv, ALICE, "  "), ValidationError);
    await assert.rejects(todos.updateTodo(kv, ALICE, "01NOTATODO", { completed: true }));
    await assert.rejects(todos.undoDeletion(kv, ALICE, "no-such-token"));
    assert.equal(await todos.setAllCompleted(kv, ALICE, false), 0); // nothing to change
    assert.equal((await todos.clearCompleted(kv, ALICE)).todos.length, 0);
    assert.equal((await kv.get(todoChangesKey(ALICE))).versionstamp, before);
  } finally {
    kv.close();
  }
});

Deno.test("concurrent writes of one user never conflict over the marker", async () => {
  using kv = await Deno.openKv(":memory:");
  await Promise.all(Array.from({ length: 20 }, (_, i) => todos.createTodo(kv, ALICE, `t${i}`)));
  assert.equal(await todos.getTodosVersion(kv, ALICE), 20);
});

Deno.test("lib/todos/ starts no atomic operation without the marker bump, nor commits unnoted", async () => {
  let atomics: string[] = [];
  const commits: string[] = [];
  for await (const file of Deno.readDir(new URL("./", import.meta.url))) {
    if (!file.name.endsWith(".ts") || file.name.endsWith("_test.ts")) continue;
    const source = await Deno.readTextFile(new URL(file.name, import.meta.url));
    atomics = atomics.concat(source.match(/[\w.(]*kv\.atomic\(\)/g) ?? []);
    if (/\.commit\(\)/.test(source)) commits.push(file.name);
  }
  assert.ok(atomics.length >= 6);
  for (const call of atomics) assert.equal(call, "withChange(kv.atomic()", call);
  assert.deepEqual(commits, [], "commit with commitNoted (lib/kv/local_changes.ts)");
});
