import assert from "node:assert/strict";
import { htmlBytes, PageCache } from "./page_cache.ts";
import { waitFor } from "../testing/wait.ts";

Deno.test("PageCache renders once per version and gzips the kept page", async () => {
  const cache = new PageCache();
  let renders = 0;
  const render = () => `<p>${++renders}</p>`.repeat(100);
  const first = cache.page("ada", "v1", render);
  assert.equal(cache.page("ada", "v1", render), first);
  assert.equal(renders, 1);
  await waitFor(() => first.gzip !== undefined, "the kept page is gzip'd");
  const unzipped = new Response(
    new Response(first.gzip!).body!.pipeThrough(new DecompressionStream("gzip")),
  );
  assert.equal(await unzipped.text(), first.html);
  const second = cache.page("ada", "v2", render);
  assert.equal(renders, 2);
  assert.notEqual(second, first);
  assert.equal(cache.size.pages, 1);
});

Deno.test("PageCache keeps at most its budget of bytes, dropping the least recently used", () => {
  const cache = new PageCache(1000);
  cache.page("a", "1", () => "a".repeat(300));
  cache.page("b", "1", () => "b".repeat(300));
  cache.page("a", "1", () => "unused"); // a is now the most recently used
  cache.page("c", "1", () => "c".repeat(450)); // 1,050 > 1,000: b goes
  assert.deepEqual(cache.size, { pages: 2, bytes: 750 });
  let rendered = false;
  cache.page("b", "1", () => (rendered = true, "b"));
  assert.ok(rendered, "b was dropped");
  cache.page("big", "1", () => "x".repeat(600)); // over half the budget: never kept
  assert.ok(!cache.size.bytes || cache.size.bytes <= 1000);
  let again = false;
  cache.page("big", "1", () => (again = true, "x"));
  assert.ok(again);
});

Deno.test("kept pages and their gzip stay within the byte budget", async () => {
  const budget = 64 * 1024;
  const cache = new PageCache(budget);
  const pages = Array.from(
    { length: 12 },
    (_, i) => `<ul>${`<li id="todo-${i}">Todo é ${i}</li>`.repeat(200 + 40 * i)}</ul>`,
  );
  for (const [i, html] of pages.entries()) {
    const kept = cache.page(`user-${i}`, "v1", () => html);
    await waitFor(() => kept.gzip !== undefined || cache.size.bytes === 0, "gzip'd");
    assert.ok(cache.size.bytes <= budget, `${cache.size.bytes} bytes kept, bound ${budget}`);
  }
  // Latin-1 text counts one byte a character, as V8 holds it.
  assert.equal(htmlBytes(pages[0]), pages[0].length);
  assert.equal(htmlBytes("✓"), 2);
  assert.ok(cache.size.pages > 1 && cache.size.pages < pages.length, "the bound decides");
});
