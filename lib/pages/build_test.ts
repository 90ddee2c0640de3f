import assert from "node:assert/strict";
import { ISLANDS_DIR } from "./assets.ts";
import { staticImports } from "./build.ts";

async function gzipped(file: string): Promise<number> {
  const bytes = await Deno.readFile(new URL(file, ISLANDS_DIR));
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/**
 * Budget for the todo list's JavaScript, Preact included, gzipped: about 4.5 KB of Preact and
 * 8 KB of the list (its actions, live sync with its paused and signed-out states, kept text).
 */
const TODO_LIST_JS_BUDGET_BYTES = 13 * 1024;

Deno.test("the island build names a content-hashed TodoList bundle within its gzipped budget, chunks included", async () => {
  const manifest = JSON.parse(await Deno.readTextFile(new URL("manifest.json", ISLANDS_DIR)));
  const entry: string = manifest.islands.TodoList;
  assert.match(entry, /^\/_islands\/TodoList-[0-9a-f]{12}\.js$/);
  const file = entry.replace("/_islands/", "");
  const chunks = await staticImports(file);
  assert.deepEqual(manifest.preload.TodoList, chunks.map((c) => `/_islands/${c}`));
  let size = 0;
  for (const f of [file, ...chunks]) size += await gzipped(f);
  assert.ok(size < TODO_LIST_JS_BUDGET_BYTES, `TodoList JS is ${size} bytes gzipped`);
  console.log(`TodoList island JS: ${size} bytes gzipped (${chunks.length} chunk(s))`);
});

Deno.test("the build lists every servable static file, bundles included, but not its own manifest", async () => {
  const manifest = JSON.parse(await Deno.readTextFile(new URL("manifest.json", ISLANDS_DIR)));
  const paths = Object.keys(manifest.files);
  assert.deepEqual(manifest.files["/styles.css"]?.type, "text/css; charset=utf-8");
  assert.ok(paths.includes("/favicon.svg"));
  for (const url of [...Object.values(manifest.islands), ...manifest.preload.TodoList]) {
    assert.ok(paths.includes(url as string), `${url} is listed`);
  }
  assert.ok(!paths.includes("/_islands/manifest.json"));
  assert.ok(paths.every((path) => /^(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$/.test(path)), paths.join());
});
