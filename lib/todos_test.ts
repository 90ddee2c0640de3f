import assert from "node:assert/strict";
import {
  BULK_BATCH_SIZE,
  clearCompleted,
  createTodo,
  deleteTodo,
  deleteTodoUndoably,
  getDeletion,
  getTodo,
  lastDeletionKey,
  listTodos,
  MAX_TEXT_LENGTH,
  MAX_TODOS,
  setAllCompleted,
  todoCountKey,
  todoKey,
  toggleTodo,
  UNDO_WINDOW_MS,
  undoDeletion,
  updateTodo,
} from "./todos.ts";
import { ConflictError, NotFoundError, ValidationError } from "./errors.ts";

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

Deno.test("createTodo() trims text and stores one key per todo", () =>
  withKv(async (kv) => {
    const todo = await createTodo(kv, "alice", "  buy milk  ");
    assert.deepEqual(todo.text, "buy milk");
    assert.deepEqual(todo.completed, false);
    const stored = await kv.get(todoKey("alice", todo.id));
    assert.deepEqual(stored.value, todo);
    assert.deepEqual((await kv.get<Deno.KvU64>(todoCountKey("alice"))).value?.value, 1n);
  }));

Deno.test("createTodo() rejects empty, blank and non-string text", () =>
  withKv(async (kv) => {
    for (const bad of ["", "   \n\t", 42, null, undefined, { text: "x" }]) {
      await assert.rejects(() => createTodo(kv, "alice", bad), ValidationError);
    }
    assert.deepEqual(await listTodos(kv, "alice"), []);
  }));

Deno.test("createTodo() rejects control characters and lone surrogates but keeps tabs, newlines and emoji", () =>
  withKv(async (kv) => {
    for (const bad of ["a\u0000b", "bell\u0007", "esc\u001b[31m", "del\u007f", "half \ud83d"]) {
      await assert.rejects(
        () => createTodo(kv, "alice", bad),
        (e) => e instanceof ValidationError && e.message.includes("control characters"),
      );
    }
    assert.deepEqual(await listTodos(kv, "alice"), []);
    const ok = await createTodo(kv, "alice", "line one\n\tline two 🙂");
    assert.equal(ok.text, "line one\n\tline two 🙂");
  }));

Deno.test("createTodo() rejects text over 500 characters and accepts exactly 500", () =>
  withKv(async (kv) => {
    await assert.rejects(
      () => createTodo(kv, "alice", "a".repeat(MAX_TEXT_LENGTH + 1)),
      (e) => e instanceof ValidationError && e.message.includes("at most 500"),
    );
    // Counted in characters, not UTF-16 units: 500 emoji are allowed.
    await createTodo(kv, "alice", "🙂".repeat(MAX_TEXT_LENGTH));
    assert.deepEqual((await listTodos(kv, "alice")).length, 1);
  }));

Deno.test("createTodo() gives random ids that sort by creation time", () =>
  withKv(async (kv) => {
    const created = [];
    for (let i = 0; i < 20; i++) created.push(await createTodo(kv, "alice", `todo ${i}`));
    const ids = created.map((t) => t.id);
    assert.deepEqual(ids.toSorted(), ids);
    assert.deepEqual(new Set(ids).size, 20);
    assert.deepEqual((await listTodos(kv, "alice")).map((t) => t.text), created.map((t) => t.text));
  }));

Deno.test("createTodo() from 50 concurrent calls for one user leaves exactly 50 todos", () =>
  withKv(async (kv) => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => createTodo(kv, "alice", `t${i}`)));
    const todos = await listTodos(kv, "alice");
    assert.deepEqual(todos.length, 50);
    assert.deepEqual(new Set(todos.map((t) => t.text)).size, 50);
    assert.deepEqual((await kv.get<Deno.KvU64>(todoCountKey("alice"))).value?.value, 50n);
  }));

Deno.test("createTodo() refuses the todo past the per-user limit, even when racing", () =>
  withKv(async (kv) => {
    // Fill to just under the limit directly, then race 5 creates for the last 2 places.
    const start = MAX_TODOS - 2;
    let op = kv.atomic();
    for (let i = 0; i < start; i++) {
      const id = `01ARZ3NDEKTSV4RRFFQ69G${String(i).padStart(4, "0")}`;
      op = op.set(todoKey("alice", id), {
        id,
        text: `t${i}`,
        completed: false,
        createdAt: new Date(0).toISOString(),
        updatedAt: new Date(0).toISOString(),
      });
      if (i % 500 === 499) {
        await op.commit();
        op = kv.atomic();
      }
    }
    await op.set(todoCountKey("alice"), new Deno.KvU64(BigInt(start))).commit();

    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => createTodo(kv, "alice", `race ${i}`)),
    );
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r) => r.status === "rejected");
    assert.deepEqual(fulfilled.length, 2);
    assert.deepEqual(rejected.length, 3);
    for (const r of rejected) {
      assert.ok(r.reason instanceof ConflictError);
      assert.deepEqual(r.reason.code, "todo_limit_reached");
    }
    assert.deepEqual((await listTodos(kv, "alice")).length, MAX_TODOS);
    // Another user is unaffected.
    await createTodo(kv, "bob", "fine");
  }));

Deno.test("listTodos() keeps creation order: completing or editing a todo never moves it", () =>
  withKv(async (kv) => {
    const a = await createTodo(kv, "alice", "a");
    const b = await createTodo(kv, "alice", "b");
    const c = await createTodo(kv, "alice", "c");
    const shown = async () =>
      (await listTodos(kv, "alice")).map((t) => `${t.text}${t.completed ? "✓" : ""}`);
    await toggleTodo(kv, "alice", a.id);
    assert.deepEqual(await shown(), ["a✓", "b", "c"]);
    await updateTodo(kv, "alice", b.id, { completed: true, text: "b2" });
    assert.deepEqual(await shown(), ["a✓", "b2✓", "c"]);
    await updateTodo(kv, "alice", a.id, { completed: false });
    assert.deepEqual(await shown(), ["a", "b2✓", "c"]);
    assert.deepEqual((await getTodo(kv, "alice", c.id)).text, "c");
  }));

Deno.test("listTodos() and getTodo() keep users apart", () =>
  withKv(async (kv) => {
    const secret = await createTodo(kv, "alice", "alice's secret");
    await createTodo(kv, "bob", "bob's");
    assert.deepEqual((await listTodos(kv, "bob")).map((t) => t.text), ["bob's"]);
    await assert.rejects(() => getTodo(kv, "bob", secret.id), NotFoundError);
    await assert.rejects(() => toggleTodo(kv, "bob", secret.id), NotFoundError);
    await assert.rejects(() => updateTodo(kv, "bob", secret.id, { text: "x" }), NotFoundError);
    await assert.rejects(() => deleteTodo(kv, "bob", secret.id), NotFoundError);
    assert.deepEqual(await getTodo(kv, "alice", secret.id), secret);
  }));

Deno.test("updateTodo() edits text, sets completion and bumps updatedAt", () =>
  withKv(async (kv) => {
    const todo = await createTodo(kv, "alice", "draft");
    await new Promise((r) => setTimeout(r, 5));
    const edited = await updateTodo(kv, "alice", todo.id, { text: " final ", completed: true });
    assert.deepEqual(edited.text, "final");
    assert.deepEqual(edited.completed, true);
    assert.deepEqual(edited.createdAt, todo.createdAt);
    assert.ok(edited.updatedAt > todo.updatedAt);
    assert.deepEqual(await getTodo(kv, "alice", todo.id), edited);
  }));

Deno.test("updateTodo() with invalid text changes nothing", () =>
  withKv(async (kv) => {
    const todo = await createTodo(kv, "alice", "keep me");
    await assert.rejects(() => updateTodo(kv, "alice", todo.id, { text: "  " }), ValidationError);
    await assert.rejects(
      () => updateTodo(kv, "alice", todo.id, { completed: "yes" as unknown as boolean }),
      ValidationError,
    );
    assert.deepEqual(await getTodo(kv, "alice", todo.id), todo);
  }));

Deno.test("toggleTodo() from 50 concurrent calls applies every toggle exactly once", () =>
  withKv(async (kv) => {
    const todo = await createTodo(kv, "alice", "flip me");
    const results = await Promise.all(
      Array.from({ length: 51 }, () => toggleTodo(kv, "alice", todo.id)),
    );
    // Each successful toggle saw a distinct state: 26 saw it open and completed it, 25 reopened it.
    assert.deepEqual(results.filter((t) => t.completed).length, 26);
    const final = await getTodo(kv, "alice", todo.id);
    assert.deepEqual(final.completed, true);
    assert.deepEqual(final.text, "flip me");
    assert.deepEqual((await listTodos(kv, "alice")).length, 1);
  }));

Deno.test("deleteTodo() removes the todo and frees its place in the count", () =>
  withKv(async (kv) => {
    const a = await createTodo(kv, "alice", "a");
    await createTodo(kv, "alice", "b");
    assert.deepEqual((await deleteTodo(kv, "alice", a.id)).text, "a");
    assert.deepEqual((await listTodos(kv, "alice")).map((t) => t.text), ["b"]);
    assert.deepEqual((await kv.get<Deno.KvU64>(todoCountKey("alice"))).value?.value, 1n);
    await assert.rejects(() => deleteTodo(kv, "alice", a.id), NotFoundError);
    assert.deepEqual((await kv.get<Deno.KvU64>(todoCountKey("alice"))).value?.value, 1n);
  }));

Deno.test("getTodo() treats malformed ids as not found", () =>
  withKv(async (kv) => {
    for (const bad of ["", "nope", "../x", "0".repeat(26) + "0", "lowercase0000000000000000000"]) {
      await assert.rejects(() => getTodo(kv, "alice", bad), NotFoundError);
    }
  }));

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

Deno.test("setAllCompleted() marks every todo across several batches, in place, and only those that change", () =>
  withKv(async (kv) => {
    const n = BULK_BATCH_SIZE * 2 + 5;
    const before = await seed(kv, n, (i) => i % 3 === 0);
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
  }));

Deno.test("clearCompleted() deletes only completed todos across batches; undoDeletion() brings them back in place", () =>
  withKv(async (kv) => {
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
  }));

Deno.test("deleteTodoUndoably() can be undone once, with the same text, state and place", () =>
  withKv(async (kv) => {
    const [a, b, c] = await seed(kv, 3, (i) => i === 1);
    const deletion = await deleteTodoUndoably(kv, "alice", b.id);
    assert.deepEqual(deletion.todos, [b]);
    assert.deepEqual(await listTodos(kv, "alice"), [a, c]);
    assert.deepEqual(await undoDeletion(kv, "alice", deletion.token), [b]);
    assert.deepEqual(await listTodos(kv, "alice"), [a, b, c]);
    assert.equal(await count(kv), 3n);
  }));

Deno.test("undoDeletion() refuses a wrong, replaced, foreign or expired token and changes nothing", () =>
  withKv(async (kv) => {
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
  }));

Deno.test("deleteTodoUndoably() refuses unknown and malformed ids and keeps the last undo", () =>
  withKv(async (kv) => {
    const [a] = await seed(kv, 2);
    const deletion = await deleteTodoUndoably(kv, "alice", a.id);
    for (const bad of [a.id, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "../x", ""]) {
      await assert.rejects(() => deleteTodoUndoably(kv, "alice", bad), NotFoundError);
    }
    assert.deepEqual(await undoDeletion(kv, "alice", deletion.token), [a]);
  }));

Deno.test("undoDeletion() refuses to go over the todo limit", () =>
  withKv(async (kv) => {
    const [a] = await seed(kv, 1);
    const deletion = await deleteTodoUndoably(kv, "alice", a.id);
    await kv.set(todoCountKey("alice"), new Deno.KvU64(BigInt(MAX_TODOS)));
    await assert.rejects(
      () => undoDeletion(kv, "alice", deletion.token),
      (e) => e instanceof ConflictError && e.code === "todo_limit_reached",
    );
    assert.deepEqual(await listTodos(kv, "alice"), []);
  }));
