/**
 * A KV file another process keeps locked (a second app, or a tool, on the same file): SQLite
 * gives up after its busy wait, and the write is refused in plain words, as a storage fault.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createTestApp, TEST_ORIGIN } from "../testing/app.ts";

Deno.test("a write to a KV file another connection keeps locked answers 503 and stores nothing", async () => {
  const path = await Deno.makeTempFile({ suffix: ".sqlite3" });
  await Deno.remove(path); // Deno KV makes the file
  try {
    using app = await createTestApp({ kvPath: path });
    const cookie = await app.signIn("ada@example.com");
    const create = (todoText: string) =>
      app.request("/api/todos", {
        method: "POST",
        headers: { Origin: TEST_ORIGIN, Cookie: cookie, "Content-Type": "application/json" },
        body: JSON.stringify({ todoText }),
      });
    const kept = await create("kept");
    assert.equal(kept.status, 201, await kept.text());

    const other = new DatabaseSync(path);
    try {
      other.exec("BEGIN EXCLUSIVE");
      const refused = await create("refused");
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get("Retry-After"), "60");
      const body = await refused.json();
      assert.equal(body.error.code, "service_unavailable");
      assert.match(body.error.message, /nothing was saved/);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    const list = await app.request("/api/todos", { headers: { Cookie: cookie } });
    const texts = (await list.json()).todos.map((todo: { text: string }) => todo.text);
    assert.deepEqual(texts, ["kept"]);
    const after = await create("after");
    assert.equal(after.status, 201, "writes work again once the lock is gone");
  } finally {
    await Deno.remove(path).catch(() => {});
  }
});
