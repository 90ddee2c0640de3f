import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN } from "../../lib/testing/app.ts";
import { createTodo, listTodos } from "../../lib/todos/mod.ts";
import { getSessionUser } from "../../lib/auth/local_sessions.ts";

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

/** The props the page hands the TodoList island (parsed from its JSON block). */
function todoListProps(html: string) {
  const key = Number(html.match(/<pages-island data-island="TodoList" data-key="(\d+)">/)![1]);
  const block = html.match(
    /<script type="application\/json" id="__pages_islands">(.*?)<\/script>/,
  )!;
  return JSON.parse(block[1])[key];
}

const page = async (
  test: { request: (path: string, init?: RequestInit) => Promise<Response> },
  cookie: string,
  path = "/todoapp",
) => {
  const res = await test.request(path, { headers: { Cookie: cookie } });
  assert.equal(res.status, 200, path);
  return await res.text();
};

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
  assert.equal(res.headers.get("Cache-Control"), "no-store");
  const html = await res.text();
  assert.match(html, /<span class="text" id="tn\d+">Buy milk<\/span>/);
  assert.match(html, /<title>Your todos · Todos<\/title>/);
  assert.match(html, /<a href="\/todoapp" aria-current="page">Your todos<\/a>/);
  assert.match(html, /<a class="skip-link" href="#main">/);
  assert.match(
    html,
    /<div class="status" role="status"><\/div>/,
    "the live region is there from load",
  );
  assert.match(html, /<input id="new-todo"[^>]* maxlength="500"[^>]* autofocus/);
  assert.match(html, /https:\/\/todos\.example\/mcp/);
  assert.match(html, /ada@example\.com/);
  assert.match(html, /<form method="post" action="\/logout">/);
  assert.match(html, /href="\/connections"/);
  assert.match(html, /<pages-island data-island="TodoList" data-key="\d">/);
  // Only this page's island bundles are loaded (needs `deno task build`, which `test` runs first).
  for (const island of ["TodoList", "McpUrl", "SessionGuard"]) {
    assert.match(
      html,
      new RegExp(`<script type="module" src="/_islands/${island}-[0-9a-f]{12}\\.js"></script>`),
    );
  }
  assert.equal(html.match(/<script type="module"/g)?.length, 3);
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
  assert.deepEqual(todoListProps(html).todos.map(([, text]: [string, string]) => text), XSS);
});

Deno.test("POST /todoapp without JavaScript adds, completes, reopens, edits and deletes (303 back)", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("nojs@example.com");
  const uid = await userId(test, cookie);
  const post = async (fields: Record<string, string>) => {
    const res = await test.request("/todoapp", form(cookie, fields));
    assert.equal(res.status, 303, JSON.stringify(fields));
    return res.headers.get("Location")!;
  };
  // After adding, the page comes back to the input (autofocus, no fragment that would scroll
  // it to the top edge) and says what was added; after acting on a todo, to that todo.
  const added = await post({ action: "add", text: "  Water plants  " });
  const [todo] = await listTodos(test.kv, uid);
  assert.equal(todo.text, "Water plants");
  assert.equal(added, `/todoapp?added=${todo.id}`);
  const addedPage = await page(test, cookie, added);
  assert.match(addedPage, /<div class="status" role="status">Added “Water plants”\.<\/div>/);
  assert.match(addedPage, /<input id="new-todo"[^>]* autofocus/);
  // The words come from the list, never from the URL: an unknown id says nothing.
  const forged = await page(test, cookie, "/todoapp?added=Your%20account%20is%20locked");
  assert.match(forged, /<div class="status" role="status"><\/div>/);
  const back = `/todoapp?at=${todo.id}`;
  assert.equal(await post({ action: "complete", id: todo.id }), back);
  assert.equal((await listTodos(test.kv, uid))[0].completed, true);
  assert.equal(await post({ action: "incomplete", id: todo.id }), back);
  assert.equal((await listTodos(test.kv, uid))[0].completed, false);
  assert.equal(await post({ action: "edit", id: todo.id, text: "Water all plants" }), back);
  assert.equal((await listTodos(test.kv, uid))[0].text, "Water all plants");
  const deleted = await post({ action: "delete", id: todo.id });
  assert.match(deleted, /^\/todoapp\?undo=[0-9A-Z]{26}$/);
  assert.deepEqual(await listTodos(test.kv, uid), []);

  // The page after a deletion offers Undo (a form, so it works without JavaScript).
  const html = await page(test, cookie, deleted);
  assert.match(html, /<div class="status" role="status">Deleted “Water all plants”\.<form/);
  const token = new URL(deleted, TEST_ORIGIN).searchParams.get("undo")!;
  assert.match(html, new RegExp(`<input type="hidden" name="token" value="${token}"/>`));
  assert.equal(await post({ action: "undo", token }), back);
  assert.deepEqual((await listTodos(test.kv, uid)).map((t) => [t.id, t.text]), [
    [todo.id, "Water all plants"],
  ]);
  // Used once: the page no longer offers it, and a second undo is an error in words.
  assert.doesNotMatch(await page(test, cookie, deleted), /Deleted “/);
  const again = await test.request("/todoapp", form(cookie, { action: "undo", token }));
  assert.equal(again.status, 404);
  assert.match(await again.text(), /nothing to undo/);
});

Deno.test("POST /todoapp keeps todos in place, returns to the filter it came from and focuses the neighbour of a todo that left the view", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("filters@example.com");
  const uid = await userId(test, cookie);
  const [a, b, c] = [
    await createTodo(test.kv, uid, "a"),
    await createTodo(test.kv, uid, "b"),
    await createTodo(test.kv, uid, "c"),
  ];
  const post = async (fields: Record<string, string>) => {
    const res = await test.request("/todoapp", form(cookie, fields));
    assert.equal(res.status, 303, JSON.stringify(fields));
    return res.headers.get("Location")!;
  };
  // Completing "b" while showing Active: it leaves the view, focus goes to "c".
  assert.equal(
    await post({ action: "complete", id: b.id, filter: "active" }),
    `/todoapp?filter=active&at=${c.id}`,
  );
  assert.deepEqual((await listTodos(test.kv, uid)).map((t) => t.text), ["a", "b", "c"]);
  const active = await page(test, cookie, `/todoapp?filter=active&at=${c.id}`);
  assert.match(active, /<a href="\/todoapp\?filter=active" aria-current="page">Active<\/a>/);
  assert.doesNotMatch(active, /<span class="text" id="tn\d+">b<\/span>/);
  assert.match(
    active,
    new RegExp(`value="${c.id}" aria-labelledby="tl-c (tn\\d+)" autofocus>`),
  );
  assert.doesNotMatch(active, /id="new-todo"[^>]*autofocus/);
  // The island's props carry each todo once, with only what the page shows.
  const props = todoListProps(active);
  assert.deepEqual(
    props.todos,
    [a, b, c].map((t) => [t.id, t.text, t.id === b.id ? 1 : 0]),
  );
  const block = active.match(/id="__pages_islands">(.*?)<\/script>/)![1];
  for (const todo of [a, b, c]) {
    assert.equal(block.split(`["${todo.id}"`).length - 1, 1, todo.text);
  }
  assert.doesNotMatch(active, /createdAt/);

  const completed = await page(test, cookie, "/todoapp?filter=completed");
  assert.match(completed, /<span class="text" id="tn\d+">b<\/span>/);
  assert.doesNotMatch(completed, /<span class="text" id="tn\d+">[ac]<\/span>/);
  // Unknown filters show everything.
  assert.match(
    await page(test, cookie, "/todoapp?filter=<x>"),
    /<span class="text" id="tn\d+">a<\/span>[^]*<span class="text" id="tn\d+">c<\/span>/,
  );

  // Mark all complete, then clear completed (undoable), from the Completed view.
  assert.equal(
    await post({ action: "complete-all", filter: "completed" }),
    "/todoapp?filter=completed",
  );
  assert.ok((await listTodos(test.kv, uid)).every((t) => t.completed));
  assert.match(await page(test, cookie), /value="incomplete-all">Mark all incomplete</);
  await post({ action: "incomplete-all" });
  assert.ok((await listTodos(test.kv, uid)).every((t) => !t.completed));
  await post({ action: "complete", id: a.id });
  await post({ action: "complete", id: c.id });
  const cleared = await post({ action: "clear-completed" });
  assert.deepEqual((await listTodos(test.kv, uid)).map((t) => t.text), ["b"]);
  assert.match(await page(test, cookie, cleared), /Deleted 2 completed todos\.<form/);
  const token = new URL(cleared, TEST_ORIGIN).searchParams.get("undo")!;
  await post({ action: "undo", token });
  assert.deepEqual((await listTodos(test.kv, uid)).map((t) => [t.text, t.completed]), [
    ["a", true],
    ["b", false],
    ["c", true],
  ]);
});

Deno.test("GET /todoapp?edit= shows that todo as a focused text field with Save and Cancel", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("edit@example.com");
  const todo = await createTodo(test.kv, await userId(test, cookie), "Fix <b>bike</b>");
  const html = await page(test, cookie, `/todoapp?edit=${todo.id}`);
  assert.match(
    html,
    new RegExp(
      `<input id="edit-${todo.id}" class="edit-input" name="text" required maxlength="500" autocomplete="off" autofocus value="Fix &lt;b>bike&lt;/b>"/>`,
    ),
  );
  assert.match(html, /<button type="submit">Save<\/button>/);
  assert.match(
    html,
    new RegExp(`<a class="cancel" href="/todoapp\\?at=${todo.id}">Cancel</a>`),
  );
  assert.doesNotMatch(html, /id="new-todo"[^>]*autofocus/);
  // An id that is not one of the person's todos is ignored.
  assert.doesNotMatch(
    await page(test, cookie, "/todoapp?edit=01ARZ3NDEKTSV4RRFFQ69G5FAV"),
    /edit-input/,
  );
});

Deno.test("POST /todoapp on a todo deleted elsewhere says so in words, shows no id and drops the row", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("stale@example.com");
  const uid = await userId(test, cookie);
  const gone = await createTodo(test.kv, uid, "Gone elsewhere");
  await createTodo(test.kv, uid, "Still here");
  await test.request("/todoapp", form(cookie, { action: "delete", id: gone.id }));
  for (const action of ["complete", "incomplete", "delete", "edit"]) {
    const res = await test.request("/todoapp", form(cookie, { action, id: gone.id, text: "x" }));
    assert.equal(res.status, 404, action);
    const html = await res.text();
    assert.match(
      html,
      /role="alert">That todo was deleted elsewhere \(in another tab or by an app\)/,
    );
    assert.ok(!html.includes(`No todo with id`), action);
    assert.doesNotMatch(html, /Gone elsewhere/);
    assert.match(html, /Still here/);
  }
});

/** What one todo may add to the list page, decoded (its row's markup and its island props). */
const MAX_BYTES_PER_TODO = 600;

/** `count` todos of 25 to 44 characters, as a list of everyday todos has. */
async function addTodos(kv: Deno.Kv, uid: string, count: number) {
  for (let i = 0; i < count; i++) {
    await createTodo(
      kv,
      uid,
      `Todo number ${i}: ${"call the plumber about the leak ".slice(0, 10 + (i % 20))}`,
    );
  }
}

Deno.test(`the page at 200 todos weighs at most 200 × ${MAX_BYTES_PER_TODO} bytes decoded, with every control named and posting without JavaScript`, async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("weight@example.com");
  const uid = await userId(test, cookie);
  const empty = new TextEncoder().encode(await page(test, cookie)).length;
  await addTodos(test.kv, uid, 200);
  const html = await page(test, cookie);
  const bytes = new TextEncoder().encode(html).length;
  assert.ok(bytes <= 200 * MAX_BYTES_PER_TODO, `${bytes} bytes at 200 todos`);
  const perTodo = (bytes - empty) / 200;
  assert.ok(perTodo <= MAX_BYTES_PER_TODO, `${perTodo} bytes a todo`);
  // Nothing was dropped to get there: each row's text is there once, names every control of
  // the row (with a shared label), and each button posts its action's form with the todo's id.
  const rows = [...html.matchAll(/<li id="todo-([0-9A-Z]{26})"[^>]*>(.*?)<\/li>/g)];
  assert.equal(rows.length, 200);
  for (const [, id, row] of rows) {
    const textId = row.match(/<span class="text" id="(tn\d+)">/)![1];
    assert.equal(row.match(new RegExp(`aria-labelledby="tl-[ced] ${textId}"`, "g"))?.length, 3);
    assert.match(row, new RegExp(`<button class="check" form="tf-c" name="id" value="${id}"`));
    assert.match(row, new RegExp(`<button class="delete" form="tf-d" name="id" value="${id}"`));
    assert.match(row, new RegExp(`<a class="edit" href="/todoapp\\?edit=${id}"`));
  }
  for (
    const [key, action, label] of [["c", "complete", "Mark complete:"], ["d", "delete", "Delete:"]]
  ) {
    assert.match(
      html,
      new RegExp(
        `<form id="tf-${key}" method="post" action="/todoapp"><input type="hidden" name="action" value="${action}"/></form>`,
      ),
    );
    assert.match(html, new RegExp(`<span id="tl-${key}">${label}</span>`));
  }
});

Deno.test("pages are gzip-compressed for browsers that accept it: 200 todos stay under 40 KB on the wire", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("heavy@example.com");
  const uid = await userId(test, cookie);
  await addTodos(test.kv, uid, 200);
  const res = await test.request("/todoapp", {
    headers: { Cookie: cookie, "Accept-Encoding": "gzip, deflate, br" },
  });
  assert.equal(res.headers.get("Content-Encoding"), "gzip");
  assert.match(res.headers.get("Vary") ?? "", /Accept-Encoding/i);
  const wire = (await res.arrayBuffer()).byteLength;
  assert.ok(wire < 40 * 1024, `${wire} bytes`);
  const landing = await test.request("/", { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(landing.headers.get("Content-Encoding"), "gzip");
  await landing.body?.cancel();
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
    [{ action: "complete", id: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }, 404, /deleted elsewhere/],
    [{ action: "delete", id: "../../etc" }, 404, /deleted elsewhere/],
    [{ action: "undo", token: "nope" }, 404, /nothing to undo/],
    [{ action: "explode" }, 400, /Unknown action/],
  ];
  for (const [fields, status, message] of cases) {
    const res = await test.request("/todoapp", form(cookie, fields));
    assert.equal(res.status, status, JSON.stringify(fields));
    const html = await res.text();
    assert.match(html, /<p class="error" id="todo-error" role="alert">/);
    assert.ok(!html.includes("No todo with id"), JSON.stringify(fields));
    assert.match(html, /aria-describedby="todo-error"/);
    assert.match(html, message);
    assert.match(html, /Keep me/);
  }
  assert.deepEqual(await listTodos(test.kv, uid), before);
});

Deno.test("POST /todoapp refuses cross-site posts and sends signed-out posts to /login to resume", async () => {
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
  assert.equal(signedOut.headers.get("Location"), "/login?returnTo=%2Ftodoapp%3Fresume%3D1");
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
