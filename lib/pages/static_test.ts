import assert from "node:assert/strict";
import { Hono } from "hono";
import { serveStatic } from "./static.ts";
import { listStaticFiles, type StaticFiles } from "./static_files.ts";

/** A temporary static/ folder with `files` (path -> content), removed on dispose. */
async function tempStatic(files: Record<string, string>) {
  const root = await Deno.makeTempDir({ prefix: "static-test-" });
  const dir = new URL(`file://${root}/`);
  for (const [path, content] of Object.entries(files)) {
    // A plain path, not a URL: names such as `percent%2e.css` stay as written.
    await Deno.mkdir(`${root}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, content);
  }
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

function serve(dir: URL, files: StaticFiles) {
  const app = new Hono();
  app.get("*", serveStatic(dir, files));
  return (path: string, init?: RequestInit) => app.request(`http://localhost${path}`, init);
}

Deno.test("listStaticFiles() lists servable files with type, size and hash, and says what it left out", async () => {
  await using tmp = await tempStatic({
    "styles.css": "body {}\n",
    "_islands/App-0123.js": "export {};\n",
    "_islands/manifest.json": "{}",
    "_islands/.tmp/x.js": "",
    ".hidden.css": "",
    "notes.md": "",
    "two words.css": "",
    "caf\u00e9.svg": "",
    "percent%2e.css": "",
    "trailing..css.": "",
  });
  await Deno.symlink(new URL("styles.css", tmp.dir).pathname, new URL("link.css", tmp.dir));
  const { files, skipped } = await listStaticFiles(tmp.dir);
  assert.deepEqual(Object.keys(files), ["/_islands/App-0123.js", "/styles.css"]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("body {}\n"));
  const hash = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  assert.deepEqual(files["/styles.css"], {
    type: "text/css; charset=utf-8",
    size: 8,
    hash: hash.slice(0, 16),
  });
  assert.deepEqual(skipped.map((reason) => reason.split(":")[0]).sort(), [
    "/caf\u00e9.svg",
    "/link.css",
    "/notes.md",
    "/percent%2e.css",
    "/trailing..css.",
    "/two words.css",
  ]);
});

Deno.test("serveStatic() serves only files listed at build time: one added later is a 404 until the build runs", async () => {
  await using tmp = await tempStatic({ "styles.css": "body {}\n" });
  const before = await listStaticFiles(tmp.dir);
  await Deno.writeTextFile(new URL("added.css", tmp.dir), "p {}\n");
  const stale = await serve(tmp.dir, before.files)("/added.css");
  assert.equal(stale.status, 404);
  await stale.body?.cancel();
  const rebuilt = await serve(tmp.dir, (await listStaticFiles(tmp.dir)).files)("/added.css");
  assert.equal(rebuilt.status, 200);
  assert.equal(await rebuilt.text(), "p {}\n");
});

Deno.test("serveStatic() answers HEAD without a body and 304 to a matching If-None-Match", async () => {
  await using tmp = await tempStatic({ "styles.css": "body {}\n", "_islands/A-1.js": "1;\n" });
  const get = serve(tmp.dir, (await listStaticFiles(tmp.dir)).files);
  const full = await get("/styles.css");
  assert.equal(full.headers.get("Content-Type"), "text/css; charset=utf-8");
  assert.equal(full.headers.get("Cache-Control"), "no-cache");
  assert.equal(full.headers.get("Content-Length"), "8");
  const etag = full.headers.get("ETag")!;
  assert.match(etag, /^"[0-9a-f]{16}"$/);
  await full.body?.cancel();

  const head = await get("/styles.css", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("ETag"), etag);
  assert.equal(await head.text(), "");

  for (const tag of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
    const cached = await get("/styles.css", { headers: { "If-None-Match": tag } });
    assert.equal(cached.status, 304, tag);
    assert.equal(await cached.text(), "");
  }
  const changed = await get("/styles.css", { headers: { "If-None-Match": '"other"' } });
  assert.equal(changed.status, 200);
  await changed.body?.cancel();

  const bundle = await get("/_islands/A-1.js");
  assert.equal(bundle.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
  await bundle.body?.cancel();
  const versioned = await get("/styles.css?v=abc");
  assert.equal(versioned.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
  await versioned.body?.cancel();
});

Deno.test("serveStatic() answers 404 for a listed file removed since the build", async () => {
  await using tmp = await tempStatic({ "styles.css": "body {}\n" });
  const get = serve(tmp.dir, (await listStaticFiles(tmp.dir)).files);
  await Deno.remove(new URL("styles.css", tmp.dir));
  const res = await get("/styles.css");
  assert.equal(res.status, 404);
  await res.body?.cancel();
});
