/** The todo page is rendered once per change of the list (lib/pages/page_cache.ts). */
import assert from "node:assert/strict";
import { createTestApp } from "../../lib/testing/app.ts";
import { createTodo } from "../../lib/todos/mod.ts";
import { todoKey } from "../../lib/todos/keys.ts";
import { getSessionUser } from "../../lib/auth/local_sessions.ts";

const gunzip = (bytes: Uint8Array<ArrayBuffer>) =>
  new Response(new Response(bytes).body!.pipeThrough(new DecompressionStream("gzip"))).text();

Deno.test("a kept todo page is the same page, and a write shows at once", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("ada@example.com");
  const userId = (await getSessionUser(test.kv, cookie.split("=")[1]))!.id;
  await createTodo(test.kv, userId, "ada-one");
  const get = async (path = "/todoapp", headers: Record<string, string> = {}) => {
    const res = await test.request(path, { headers: { Cookie: cookie, ...headers } });
    assert.equal(res.status, 200);
    return res;
  };
  const first = await (await get()).text();
  // Written around the store, so the change marker stands: the kept page does not show it.
  await test.kv.set(todoKey(userId, "01ZZZZZZZZZZZZZZZZZZZZZZZZ"), {
    id: "01ZZZZZZZZZZZZZZZZZZZZZZZZ",
    text: "unseen",
    completed: false,
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  });
  assert.equal(await (await get()).text(), first);
  await createTodo(test.kv, userId, "ada-two");
  const after = await (await get()).text();
  assert.match(after, /ada-two/);
  assert.match(after, /unseen/, "a write through the store renders the page anew");
  // Another query is another page; another person never sees Ada's.
  assert.match(
    await (await get("/todoapp?filter=completed")).text(),
    /No completed todos|completed/i,
  );
  const bob = await test.signIn("bob@example.com");
  const bobs = await (await test.request("/todoapp", { headers: { Cookie: bob } })).text();
  assert.doesNotMatch(bobs, /ada-one|ada-two|ada@example\.com/);

  // Once its gzip is made, a client that accepts gzip gets it: the same page, compressed.
  let zipped: Response | undefined;
  for (let i = 0; i < 50; i++) {
    const res = await get("/todoapp", { "Accept-Encoding": "gzip, deflate" });
    if (res.headers.get("Content-Encoding") === "gzip") {
      zipped = res;
      break;
    }
    await res.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(zipped, "the kept page is served gzip'd");
  assert.match(zipped.headers.get("Vary") ?? "", /Accept-Encoding/);
  assert.ok(zipped.headers.get("Content-Security-Policy"));
  assert.equal(await gunzip(await zipped.bytes()), after);
});

Deno.test("a todo page with a no-JS Undo notice is rendered fresh each time", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("ada@example.com");
  const userId = (await getSessionUser(test.kv, cookie.split("=")[1]))!.id;
  await createTodo(test.kv, userId, "keep");
  const res = await test.request("/todoapp?undo=not-a-token", { headers: { Cookie: cookie } });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /keep/);
});
