import assert from "node:assert/strict";
import { PageCache } from "./page_cache.ts";
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
  assert.deepEqual(await unzipped.bytes(), first.html);
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
