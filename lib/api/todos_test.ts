import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN, type TestApp } from "../testing/app.ts";
import { listTodos, type Todo } from "../todos/mod.ts";

interface Call {
  method?: string;
  body?: unknown;
  /** Raw body; sent as is with `contentType`. */
  raw?: BodyInit;
  contentType?: string;
  cookie?: string | null;
  headers?: Record<string, string>;
}

async function call(t: TestApp, cookie: string | null, path: string, options: Call = {}) {
  const headers = new Headers(options.headers);
  if (cookie) headers.set("Cookie", cookie);
  let body: BodyInit | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  const contentType = options.contentType ?? "application/json";
  if (body !== undefined && contentType) headers.set("Content-Type", contentType);
  const res = await t.request(`/api${path}`, { method: options.method ?? "GET", headers, body });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

async function userIdOf(t: TestApp, cookie: string): Promise<string> {
  const req = new Request(TEST_ORIGIN, { headers: { Cookie: cookie } });
  return (await t.deps.identity.getSessionUser(req))!.id;
}

async function setup() {
  const t = await createTestApp();
  const alice = await t.signIn("alice@example.com");
  return { t, alice };
}

Deno.test("GET /api/todos without a session answers 401 with a JSON error", async () => {
  const { t } = await setup();
  using _ = t;
  const res = await call(t, null, "/todos");
  assert.equal(res.status, 401);
  assert.equal(res.json.error.code, "unauthorized");
  const forged = await call(t, "todo_session=" + "A".repeat(43), "/todos");
  assert.equal(forged.status, 401);
});

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
  await t.kv.set(["todo_count", userId], new Deno.KvU64(1000n));
  const res = await call(t, alice, "/todos", { method: "POST", body: { todoText: "one more" } });
  assert.equal(res.status, 409);
  assert.equal(res.json.error.code, "todo_limit_reached");
  assert.match(res.json.error.message, /1000/);
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
  await t.kv.set(["todo_count", userId], new Deno.KvU64(990n));
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
  assert.equal((await t.kv.get<Deno.KvU64>(["todo_count", userId])).value?.value, 1000n);
});

Deno.test("cookie-authenticated writes from another site are refused with 403", async () => {
  const { t, alice } = await setup();
  using _ = t;
  const seeded = await call(t, alice, "/todos", { method: "POST", body: { todoText: "keep" } });
  const id = seeded.json.todo.id;
  const crossSite: Record<string, string>[] = [
    { Origin: "https://evil.example" },
    { Origin: "null" },
    { Origin: "http://localhost:8001" },
    { "Sec-Fetch-Site": "cross-site" },
  ];
  for (const headers of crossSite) {
    for (
      const [method, path, body] of [
        ["POST", "/todos", { todoText: "x" }],
        ["POST", `/todos/${id}/complete`, undefined],
        ["PATCH", `/todos/${id}`, { text: "changed" }],
        ["DELETE", `/todos/${id}`, undefined],
      ] as const
    ) {
      const res = await call(t, alice, path, { method, body, headers });
      assert.equal(res.status, 403, `${method} ${path} ${JSON.stringify(headers)}`);
      assert.equal(res.json.error.code, "forbidden");
    }
  }
  const sameSite = await call(t, alice, "/todos", {
    method: "POST",
    body: { todoText: "ok" },
    headers: { Origin: TEST_ORIGIN, "Sec-Fetch-Site": "same-origin" },
  });
  assert.equal(sameSite.status, 201);
  const list = await call(t, alice, "/todos");
  assert.deepEqual(list.json.todos.map((x: Todo) => [x.text, x.completed]), [
    ["keep", false],
    ["ok", false],
  ]);
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

Deno.test("GET /api/session names the signed-in user, or answers 401", async () => {
  const { t, alice } = await setup();
  using _ = t;
  const res = await call(t, alice, "/session");
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { user: { email: "alice@example.com" } });
  assert.equal((await call(t, null, "/session")).status, 401);
});

Deno.test("API answers are no-store and gzip-compressed for clients that accept it", async () => {
  const { t, alice } = await setup();
  using _ = t;
  for (let i = 0; i < 30; i++) {
    await call(t, alice, "/todos", { method: "POST", body: { todoText: `todo number ${i}` } });
  }
  const plain = await t.request("/api/todos", { headers: { Cookie: alice } });
  const raw = await plain.text();
  assert.equal(plain.headers.get("Content-Encoding"), null);
  assert.equal(plain.headers.get("Cache-Control"), "no-store");

  const gz = await t.request("/api/todos", {
    headers: { Cookie: alice, "Accept-Encoding": "gzip, deflate, br" },
  });
  assert.equal(gz.headers.get("Content-Encoding"), "gzip");
  assert.equal(gz.headers.get("Cache-Control"), "no-store");
  const bytes = new Uint8Array(await gz.arrayBuffer());
  assert.ok(bytes.length < raw.length / 3, `${bytes.length} vs ${raw.length}`);
  const inflated = await new Response(
    new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")),
  ).text();
  assert.equal(inflated, raw);
});
