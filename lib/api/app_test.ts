import assert from "node:assert/strict";
import { TEST_ORIGIN } from "../testing/app.ts";
import type { Todo } from "../todos/mod.ts";
import { call, setup } from "../testing/api.ts";

Deno.test("GET /api/todos without a session answers 401 with a JSON error", async () => {
  const { t } = await setup();
  using _ = t;
  const res = await call(t, null, "/todos");
  assert.equal(res.status, 401);
  assert.equal(res.json.error.code, "unauthorized");
  const forged = await call(t, "todo_session=" + "A".repeat(43), "/todos");
  assert.equal(forged.status, 401);
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
