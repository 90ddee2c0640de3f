import assert from "node:assert/strict";
import { todoCountKey } from "../todos/keys.ts";
import { listTodos, MAX_TODOS, type Todo } from "../todos/mod.ts";
import { type Call, call, setup, userIdOf } from "../testing/api.ts";

Deno.test("POST /api/todos creates a todo and answers it alone, not the list", async () => {
  const { t, alice } = await setup();
  using _ = t;
  await call(t, alice, "/todos", { method: "POST", body: { todoText: "first" } });
  const res = await call(t, alice, "/todos", { method: "POST", body: { todoText: " milk " } });
  assert.equal(res.status, 201);
  assert.deepEqual(Object.keys(res.json), ["todo"]);
  assert.equal(res.json.todo.text, "milk");
  assert.equal(res.json.todo.completed, false);
  const list = await call(t, alice, "/todos");
  assert.deepEqual(list.json.todos.map((x: Todo) => x.text), ["first", "milk"]);
  assert.deepEqual(list.json.todos[1], res.json.todo);
});

Deno.test("POST /api/todos/:id/complete, PATCH and DELETE change one todo each", async () => {
  const { t, alice } = await setup();
  using _ = t;
  const a = (await call(t, alice, "/todos", { method: "POST", body: { todoText: "a" } })).json
    .todo as Todo;
  const b = (await call(t, alice, "/todos", { method: "POST", body: { todoText: "b" } })).json
    .todo as Todo;
  const texts = async () =>
    (await call(t, alice, "/todos")).json.todos.map((x: Todo) => [x.text, x.completed]);

  const completed = await call(t, alice, `/todos/${a.id}/complete`, { method: "POST" });
  assert.equal(completed.status, 200);
  assert.deepEqual(Object.keys(completed.json), ["todo"]);
  assert.deepEqual([completed.json.todo.id, completed.json.todo.completed], [a.id, true]);
  // Completing a todo leaves it in its place (creation order).
  assert.deepEqual(await texts(), [["a", true], ["b", false]]);

  const reopened = await call(t, alice, `/todos/${a.id}`, {
    method: "PATCH",
    body: { completed: false, text: "a2" },
  });
  assert.deepEqual(Object.keys(reopened.json), ["todo"]);
  assert.deepEqual([reopened.json.todo.text, reopened.json.todo.completed], ["a2", false]);
  assert.deepEqual(await texts(), [["a2", false], ["b", false]]);

  const deleted = await call(t, alice, `/todos/${b.id}`, { method: "DELETE" });
  assert.deepEqual(Object.keys(deleted.json), ["undo"]);
  assert.deepEqual(deleted.json.undo.todos, [b]);
  assert.deepEqual(await texts(), [["a2", false]]);
});

Deno.test("the API rejects bad input with a 4xx JSON error and changes nothing", async () => {
  const { t, alice } = await setup();
  using _ = t;
  const seeded = await call(t, alice, "/todos", { method: "POST", body: { todoText: "keep" } });
  const id = seeded.json.todo.id;
  const before = await listTodos(t.kv, await userIdOf(t, alice));

  const cases: [string, string, Call, number, string][] = [
    ["malformed JSON", "/todos", { method: "POST", raw: "{nope" }, 400, "invalid_request"],
    ["wrong type", "/todos", { method: "POST", body: { todoText: 5 } }, 400, "invalid_request"],
    ["missing field", "/todos", { method: "POST", body: {} }, 400, "invalid_request"],
    [
      "JSON that is not an object",
      "/todos",
      { method: "POST", body: ["x"] },
      400,
      "invalid_request",
    ],
    ["empty text", "/todos", { method: "POST", body: { todoText: "   " } }, 400, "invalid_request"],
    [
      "text over 500 characters",
      "/todos",
      { method: "POST", body: { todoText: "x".repeat(501) } },
      400,
      "invalid_request",
    ],
    [
      "form content type",
      "/todos",
      { method: "POST", raw: "todoText=x", contentType: "application/x-www-form-urlencoded" },
      415,
      "unsupported_media_type",
    ],
    [
      "no content type",
      "/todos",
      { method: "POST", raw: '{"todoText":"x"}', contentType: "" },
      415,
      "unsupported_media_type",
    ],
    [
      "body over 64 KiB",
      "/todos",
      { method: "POST", body: { todoText: "x".repeat(70 * 1024) } },
      413,
      "payload_too_large",
    ],
    [
      "unknown id (complete)",
      `/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV/complete`,
      { method: "POST" },
      404,
      "not_found",
    ],
    ["malformed id (delete)", `/todos/not-an-id`, { method: "DELETE" }, 404, "not_found"],
    [
      "unknown id (patch)",
      `/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV`,
      {
        method: "PATCH",
        body: { text: "x" },
      },
      404,
      "not_found",
    ],
    ["empty patch", `/todos/${id}`, { method: "PATCH", body: {} }, 400, "invalid_request"],
    [
      "unknown patch field",
      `/todos/${id}`,
      {
        method: "PATCH",
        body: { done: true },
      },
      400,
      "invalid_request",
    ],
    [
      "patch completed as string",
      `/todos/${id}`,
      {
        method: "PATCH",
        body: { completed: "true" },
      },
      400,
      "invalid_request",
    ],
    [
      "patch blank text",
      `/todos/${id}`,
      { method: "PATCH", body: { text: "" } },
      400,
      "invalid_request",
    ],
    ["unknown route", "/nothing", {}, 404, "not_found"],
  ];
  for (const [name, path, options, status, code] of cases) {
    const res = await call(t, alice, path, options);
    assert.equal(res.status, status, name);
    assert.equal(res.json.error.code, code, name);
    assert.equal(typeof res.json.error.message, "string", name);
    assert.ok(res.json.error.message.length > 0, name);
  }
  assert.equal(before.length, 1);
  assert.deepEqual(await listTodos(t.kv, await userIdOf(t, alice)), before);
});

Deno.test("a user limit error names the limit and leaves the list as it was", async () => {
  const { t, alice } = await setup();
  using _ = t;
  const userId = await userIdOf(t, alice);
  await t.kv.set(todoCountKey(userId), new Deno.KvU64(BigInt(MAX_TODOS)));
  const res = await call(t, alice, "/todos", { method: "POST", body: { todoText: "one more" } });
  assert.equal(res.status, 409);
  assert.equal(res.json.error.code, "todo_limit_reached");
  assert.match(res.json.error.message, new RegExp(String(MAX_TODOS)));
  assert.deepEqual(await listTodos(t.kv, userId), []);
});

Deno.test("50 concurrent creates through the API each answer their own todo, and all are kept", async () => {
  const { t, alice } = await setup();
  using _ = t;
  const texts = Array.from({ length: 50 }, (_, i) => `todo ${i}`);
  const answers = await Promise.all(
    texts.map((todoText) => call(t, alice, "/todos", { method: "POST", body: { todoText } })),
  );
  assert.deepEqual(answers.map((a) => a.status), texts.map(() => 201));
  assert.deepEqual(answers.map((a) => a.json.todo.text), texts);
  const listed = (await call(t, alice, "/todos")).json.todos as Todo[];
  assert.deepEqual(
    listed.map((x) => x.id).toSorted(),
    answers.map((a) => a.json.todo.id).toSorted(),
  );

  const completes = await Promise.all(
    listed.map((x) => call(t, alice, `/todos/${x.id}/complete`, { method: "POST" })),
  );
  assert.ok(completes.every((a) => a.status === 200 && a.json.todo.completed));
  const after = (await call(t, alice, "/todos")).json.todos as Todo[];
  assert.equal(after.length, 50);
  assert.ok(after.every((x) => x.completed));
});

Deno.test("concurrent creates through the API stop at the per-user limit", async () => {
  const { t, alice } = await setup();
  using _ = t;
  const userId = await userIdOf(t, alice);
  await t.kv.set(todoCountKey(userId), new Deno.KvU64(BigInt(MAX_TODOS - 10)));
  const answers = await Promise.all(
    Array.from(
      { length: 30 },
      (_, i) => call(t, alice, "/todos", { method: "POST", body: { todoText: `extra ${i}` } }),
    ),
  );
  assert.equal(answers.filter((a) => a.status === 201).length, 10);
  const refused = answers.filter((a) => a.status !== 201);
  assert.ok(refused.every((a) => a.status === 409 && a.json.error.code === "todo_limit_reached"));
  assert.equal((await listTodos(t.kv, userId)).length, 10);
  assert.equal(
    (await t.kv.get<Deno.KvU64>(todoCountKey(userId))).value?.value,
    BigInt(MAX_TODOS),
  );
});

Deno.test("each user sees and changes only their own todos through the API", async () => {
  const { t, alice } = await setup();
  using _ = t;
  const bob = await t.signIn("bob@example.com");
  const created = await call(t, alice, "/todos", { method: "POST", body: { todoText: "private" } });
  const id = created.json.todo.id;
  assert.deepEqual((await call(t, bob, "/todos")).json.todos, []);
  assert.equal((await call(t, bob, `/todos/${id}`, { method: "DELETE" })).status, 404);
  assert.equal((await call(t, bob, `/todos/${id}/complete`, { method: "POST" })).status, 404);
  assert.equal((await call(t, alice, "/todos")).json.todos[0].completed, false);
  // The same email signs in as the same user.
  const aliceAgain = await t.signIn("ALICE@example.com");
  assert.equal((await call(t, aliceAgain, "/todos")).json.todos.length, 1);
});
