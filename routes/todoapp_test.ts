import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN } from "../lib/testing/app.ts";
import { createTodo, listTodos } from "../lib/todos.ts";
import { getSessionUser } from "../lib/auth/local_sessions.ts";

const XSS = [
  "<script>alert(1)</script>",
  "</script><script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
];

/** A same-origin form post, as a browser sends it. */
const form = (cookie: string, fields: Record<string, string>, origin = TEST_ORIGIN) => ({
  method: "POST",
  headers: {
    Cookie: cookie,
    Origin: origin,
    Accept: "text/html",
    "Content-Type": "application/x-www-form-urlencoded",
  },
  body: new URLSearchParams(fields).toString(),
});

async function userId(test: { kv: Deno.Kv }, cookie: string) {
  return (await getSessionUser(test.kv, cookie.split("=")[1]))!.id;
}

Deno.test("GET / redirects to /todoapp", async () => {
  using test = await createTestApp();
  const res = await test.request("/");
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("Location"), "/todoapp");
});

Deno.test("GET /todoapp without a session redirects to /login with the path and query as returnTo", async () => {
  using test = await createTestApp();
  const res = await test.request("/todoapp?filter=open", { headers: { Accept: "text/html" } });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("Location"), "/login?returnTo=%2Ftodoapp%3Ffilter%3Dopen");
});

Deno.test("GET /todoapp renders the user's todos, the MCP URL, the user and sign-out in the HTML", async () => {
  using test = await createTestApp({ env: { PUBLIC_URL: "https://todos.example" } });
  const cookie = await test.signIn("ada@example.com");
  await createTodo(test.kv, await userId(test, cookie), "Buy milk");
  const res = await test.request("/todoapp", { headers: { Cookie: cookie } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("Content-Security-Policy")!, /script-src 'self';/);
  const html = await res.text();
  assert.match(html, /<span class="text">Buy milk<\/span>/);
  assert.match(html, /https:\/\/todos\.example\/mcp/);
  assert.match(html, /ada@example\.com/);
  assert.match(html, /<form method="post" action="\/logout">/);
  assert.match(html, /href="\/connections"/);
  assert.match(html, /<pages-island data-island="TodoList" data-key="0">/);
  // Only this page's island bundle is loaded (needs `deno task build`, which `test` runs first).
  assert.match(
    html,
    /<script type="module" src="\/_islands\/TodoList-[0-9a-f]{12}\.js"><\/script>/,
  );
  assert.equal(html.match(/<script type="module"/g)?.length, 1);
});

Deno.test("GET /todoapp keeps todo text inert in the HTML and in the island's props", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("mallory@example.com");
  for (const text of XSS) await createTodo(test.kv, await userId(test, cookie), text);
  const html = await (await test.request("/todoapp", { headers: { Cookie: cookie } })).text();
  assert.doesNotMatch(html, /<script>alert|<img src=x/);
  // Only the props block and the island's module script(s) are script elements.
  const scripts = html.match(/<script[^>]*>/g)!;
  assert.ok(
    scripts.every((tag) => /type="application\/json"|type="module" src="\/_islands\//.test(tag)),
  );
  const block = html.match(
    /<script type="application\/json" id="__pages_islands">(.*?)<\/script>/,
  )!;
  assert.doesNotMatch(block[1], /[<>]/);
  const [props] = JSON.parse(block[1]);
  assert.deepEqual(props.todos.map((t: { text: string }) => t.text), XSS);
});

Deno.test("POST /todoapp without JavaScript adds, completes, reopens, edits and deletes (303 back)", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("nojs@example.com");
  const uid = await userId(test, cookie);
  const post = async (fields: Record<string, string>) => {
    const res = await test.request("/todoapp", form(cookie, fields));
    assert.equal(res.status, 303, JSON.stringify(fields));
    assert.equal(res.headers.get("Location"), "/todoapp");
  };
  await post({ action: "add", text: "  Water plants  " });
  const [todo] = await listTodos(test.kv, uid);
  assert.equal(todo.text, "Water plants");
  await post({ action: "complete", id: todo.id });
  assert.equal((await listTodos(test.kv, uid))[0].completed, true);
  await post({ action: "incomplete", id: todo.id });
  assert.equal((await listTodos(test.kv, uid))[0].completed, false);
  await post({ action: "edit", id: todo.id, text: "Water all plants" });
  assert.equal((await listTodos(test.kv, uid))[0].text, "Water all plants");
  await post({ action: "delete", id: todo.id });
  assert.deepEqual(await listTodos(test.kv, uid), []);
});

Deno.test("POST /todoapp shows the error on the page and changes nothing for bad input", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("bad@example.com");
  const uid = await userId(test, cookie);
  await createTodo(test.kv, uid, "Keep me");
  const before = await listTodos(test.kv, uid);
  const cases: [Record<string, string>, number, RegExp][] = [
    [{ action: "add", text: "   " }, 400, /must not be empty/],
    [{ action: "add", text: "x".repeat(501) }, 400, /at most 500 characters/],
    [{ action: "complete", id: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }, 404, /not found|No todo/i],
    [{ action: "delete", id: "../../etc" }, 404, /not found|No todo/i],
    [{ action: "explode" }, 400, /Unknown action/],
  ];
  for (const [fields, status, message] of cases) {
    const res = await test.request("/todoapp", form(cookie, fields));
    assert.equal(res.status, status, JSON.stringify(fields));
    const html = await res.text();
    assert.match(html, /<p class="error" id="todo-error" role="alert">/);
    assert.match(html, /aria-describedby="todo-error"/);
    assert.match(html, message);
    assert.match(html, /Keep me/);
  }
  assert.deepEqual(await listTodos(test.kv, uid), before);
});

Deno.test("POST /todoapp refuses cross-site posts and redirects signed-out posts to /login", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("csrf@example.com");
  const res = await test.request(
    "/todoapp",
    form(cookie, { action: "add", text: "pwned" }, "https://evil.example"),
  );
  assert.equal(res.status, 403);
  await res.body?.cancel();
  assert.deepEqual(await listTodos(test.kv, await userId(test, cookie)), []);

  const signedOut = await test.request("/todoapp", form("", { action: "add", text: "x" }));
  assert.equal(signedOut.status, 303);
  assert.equal(signedOut.headers.get("Location"), "/login?returnTo=%2Ftodoapp");
});

Deno.test("POST /todoapp with a body that is not form data answers a 400 page", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("json@example.com");
  const res = await test.request("/todoapp", {
    method: "POST",
    headers: { Cookie: cookie, Accept: "text/html", "Content-Type": "application/json" },
    body: "{}",
  });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /Send the form as form data\./);
});
