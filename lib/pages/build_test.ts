import assert from "node:assert/strict";
import { ISLANDS_DIR } from "./assets.ts";

/** Gzipped size of `file` and every chunk it imports, transitively. */
async function gzippedClosure(file: string, seen = new Set<string>()): Promise<number> {
  if (seen.has(file)) return 0;
  seen.add(file);
  const bytes = await Deno.readFile(new URL(file, ISLANDS_DIR));
  const gz = await new Response(
    new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  let total = gz.byteLength;
  for (const [, chunk] of new TextDecoder().decode(bytes).matchAll(/from\s*"\.\/([\w.-]+\.js)"/g)) {
    total += await gzippedClosure(chunk, seen);
  }
  return total;
}

Deno.test("the island build names a content-hashed bundle for TodoList under 12 KB gzipped", async () => {
  const manifest = JSON.parse(await Deno.readTextFile(new URL("manifest.json", ISLANDS_DIR)));
  const entry: string = manifest.islands.TodoList;
  assert.match(entry, /^\/_islands\/TodoList-[0-9a-f]{12}\.js$/);
  const size = await gzippedClosure(entry.replace("/_islands/", ""));
  assert.ok(size < 12 * 1024, `TodoList JS is ${size} bytes gzipped`);
});
