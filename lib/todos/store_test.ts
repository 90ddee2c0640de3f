import assert from "node:assert/strict";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { todoCountKey, todoKey } from "./keys.ts";
import {
  createTodo,
  deleteTodo,
  getTodo,
  getTodosVersion,
  listTodos,
  MAX_TEXT_LENGTH,
  MAX_TODOS,
  updateTodo,
} from "./mod.ts";

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

/** Gives `userId` `count` todos directly in KV (the count key included), in a few commits. */
async function fillTo(kv: Deno.Kv, userId: string, count: number) {
  let op = kv.atomic();
  for (let i = 0; i < count; i++) {
    const id = `01ARZ3NDEKTSV4RRFFQ69G${String(i).padStart(4, "0")}`;
    op = op.set(todoKey(userId, id), {
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
  await op.set(todoCountKey(userId), new Deno.KvU64(BigInt(count))).commit();
}

/** Asserts that `results` hold `created` todos and that every refusal is the cap error. */
function assertCapped(results: PromiseSettledResult<unknown>[], created: number) {
  const rejected = results.flatMap((r) => r.status === "rejected" ? [r.reason] : []);
  for (const reason of rejected) {
    assert.ok(reason instanceof ConflictError, String(reason));
    assert.deepEqual(reason.code, "todo_limit_reached");
  }
  assert.deepEqual(results.length - rejected.length, created);
}

Deno.test("createTodo() refuses the todo past the per-user limit, even when racing", () =>
  withKv(async (kv) => {
    // Fill to just under the limit directly, then race 5 creates for the last 2 places.
    const start = MAX_TODOS - 2;
    await fillTo(kv, "alice", start);

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

Deno.test("createTodo() from 32 racing calls near the limit fills it exactly and refuses the rest with the limit error", () =>
  withKv(async (kv) => {
    await fillTo(kv, "alice", MAX_TODOS - 10);
    const results = await Promise.allSettled(
      Array.from({ length: 32 }, (_, i) => createTodo(kv, "alice", `race ${i}`)),
    );
    assertCapped(results, 10);
    assert.deepEqual((await listTodos(kv, "alice")).length, MAX_TODOS);
    assert.deepEqual(
      (await kv.get<Deno.KvU64>(todoCountKey("alice"))).value?.value,
      BigInt(MAX_TODOS),
    );
  }));

Deno.test("createTodo() and deleteTodo() racing for one user in one isolate take turns: no commit lost", () =>
  withKv(async (kv) => {
    let lost = 0;
    const counting = {
      get: kv.get.bind(kv),
      getMany: kv.getMany.bind(kv),
      atomic() {
        const op = kv.atomic();
        const commit = op.commit.bind(op);
        op.commit = async () => {
          const result = await commit();
          if (!result.ok) lost++;
          return result;
        };
        return op;
      },
    } as unknown as Deno.Kv;
    await Promise.all(Array.from({ length: 16 }, async (_, i) => {
      for (let n = 0; n < 4; n++) {
        const todo = await createTodo(counting, "alice", `w${i} n${n}`);
        if (n % 2 === 0) await deleteTodo(counting, "alice", todo.id);
      }
    }));
    assert.equal(lost, 0);
    assert.deepEqual((await listTodos(kv, "alice")).length, 16 * 2);
  }));

/**
 * Two isolates over one store: a second handle object on the same KV, so it has its own turns
 * (lib/kv/turns.ts keys them by handle) and its writers race the first handle's for real.
 * (Two SQLite handles on one file in one process meet "database is locked"; Deno Deploy's KV
 * has no such limit.)
 */
async function withTwoIsolates(run: (first: Deno.Kv, second: Deno.Kv) => Promise<void>) {
  await withKv(async (kv) => {
    const second = {
      get: kv.get.bind(kv),
      getMany: kv.getMany.bind(kv),
      list: kv.list.bind(kv),
      atomic: kv.atomic.bind(kv),
    } as unknown as Deno.Kv;
    await run(kv, second);
  });
}

Deno.test("createTodo() racing from two isolates never passes the limit", () =>
  withTwoIsolates(async (first, second) => {
    await fillTo(first, "alice", MAX_TODOS - 10);
    const results = await Promise.allSettled(
      Array.from(
        { length: 32 },
        (_, i) => createTodo(i % 2 ? first : second, "alice", `race ${i}`),
      ),
    );
    assertCapped(results, 10);
    assert.deepEqual((await listTodos(first, "alice")).length, MAX_TODOS);
    assert.deepEqual(
      (await second.get<Deno.KvU64>(todoCountKey("alice"))).value?.value,
      BigInt(MAX_TODOS),
    );
  }));

Deno.test("createTodo() and deleteTodo() racing for one user from two isolates keep the count exact", () =>
  withTwoIsolates(async (first, second) => {
    await Promise.all(Array.from({ length: 16 }, async (_, i) => {
      const kv = i % 2 ? first : second;
      for (let n = 0; n < 5; n++) {
        const todo = await createTodo(kv, "alice", `w${i} n${n}`);
        if (n % 2 === 0) await deleteTodo(kv, "alice", todo.id);
      }
    }));
    const todos = await listTodos(first, "alice");
    assert.deepEqual(todos.length, 16 * 2);
    assert.deepEqual(
      (await first.get<Deno.KvU64>(todoCountKey("alice"))).value?.value,
      BigInt(todos.length),
    );
  }));

Deno.test("listTodos() keeps creation order: completing or editing a todo never moves it", () =>
  withKv(async (kv) => {
    const a = await createTodo(kv, "alice", "a");
    const b = await createTodo(kv, "alice", "b");
    const c = await createTodo(kv, "alice", "c");
    const shown = async () =>
      (await listTodos(kv, "alice")).map((t) => `${t.text}${t.completed ? "✓" : ""}`);
    await updateTodo(kv, "alice", a.id, { completed: true });
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

Deno.test("updateTodo() from 50 concurrent calls commits each once and loses no change", () =>
  withKv(async (kv) => {
    const todo = await createTodo(kv, "alice", "flip me");
    const before = await getTodosVersion(kv, "alice");
    // Half complete it, half edit its text: an edit that kept a stale completion state (or a
    // completion that kept stale text) would undo another call's change.
    const texts = Array.from({ length: 25 }, (_, i) => `edit ${i}`);
    const results = await Promise.all([
      ...texts.map((text) => updateTodo(kv, "alice", todo.id, { text })),
      ...texts.map(() => updateTodo(kv, "alice", todo.id, { completed: true })),
    ]);
    assert.deepEqual(results.slice(0, 25).map((t) => t.text), texts);
    assert.ok(results.slice(25).every((t) => t.completed));
    assert.equal(await getTodosVersion(kv, "alice"), before + 50, "each call committed once");
    const final = await getTodo(kv, "alice", todo.id);
    assert.equal(final.completed, true);
    assert.ok(texts.includes(final.text), final.text);
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
