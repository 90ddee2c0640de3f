import assert from "node:assert/strict";
import { createTestApp } from "../testing/app.ts";
import { createPagesTestApp } from "../testing/pages.ts";
import { type Handlers, type Manifest, MAX_FORM_BYTES, type PageProps } from "./mod.ts";

interface ItemData {
  id: string;
}
const itemHandler: Handlers<ItemData> = {
  GET: (_req, ctx) =>
    ctx.render({ id: ctx.params.id }, {
      status: 201,
      headers: { "X-Extra": "yes" },
      csp: { "img-src": ["https://img.example"], "form-action": null },
    }),
  POST: async (req, ctx) => ctx.render({ id: `${(await req.text()).length} bytes` }),
};

const manifest: Manifest = {
  routes: {
    "./routes/_app.tsx": {
      default: ({ Component }: { Component: () => null }) => (
        <html>
          <body>
            <Component />
          </body>
        </html>
      ),
    },
    "./routes/index.tsx": { default: ({ url }: PageProps) => <p>home {url.pathname}</p> },
    "./routes/items/[id].tsx": {
      default: ({ data }: PageProps<ItemData>) => <p>item {data.id}</p>,
      handler: itemHandler,
    },
    "./routes/items/new.tsx": { default: () => <p>new item</p> },
  },
  islands: {},
};

Deno.test("createPages() renders a page without a handler inside _app with a CSP", async () => {
  using app = await createPagesTestApp(manifest);
  const res = await app.request("/");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), "text/html; charset=utf-8");
  assert.match(res.headers.get("Content-Security-Policy")!, /script-src 'self'; /);
  assert.equal(await res.text(), "<!DOCTYPE html><html><body><p>home /</p></body></html>");
});

Deno.test("createPages() passes params, status, headers and CSP additions from ctx.render()", async () => {
  using app = await createPagesTestApp(manifest);
  const res = await app.request("/items/42");
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("X-Extra"), "yes");
  const csp = res.headers.get("Content-Security-Policy")!;
  assert.match(csp, /img-src 'self' data: https:\/\/img\.example/);
  assert.doesNotMatch(csp, /form-action/);
  assert.match(await res.text(), /<p>item 42<\/p>/);
});

Deno.test("createPages() prefers a static route over a parameter", async () => {
  using app = await createPagesTestApp(manifest);
  const res = await app.request("/items/new");
  assert.match(await res.text(), /new item/);
});

Deno.test("createPages() answers 405 with Allow for a method the route does not handle", async () => {
  using app = await createPagesTestApp(manifest);
  const res = await app.request("/", { method: "DELETE" });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get("Allow"), "GET, HEAD");
  await res.body?.cancel();
});

Deno.test("createPages() answers HEAD like GET, without a body", async () => {
  using app = await createPagesTestApp(manifest);
  const res = await app.request("/items/7", { method: "HEAD" });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("Content-Type"), "text/html; charset=utf-8");
  assert.equal(await res.text(), "");
});

Deno.test("createPages() refuses cross-site form posts before the handler runs", async () => {
  using app = await createPagesTestApp(manifest);
  const res = await app.request("/items/1", {
    method: "POST",
    headers: { Origin: "https://evil.example", Accept: "text/html" },
  });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /Cross-site request refused/);
});

Deno.test("createPages() refuses a body over MAX_FORM_BYTES, declared or streamed (413)", async () => {
  using app = await createPagesTestApp(manifest);
  const limit = "x".repeat(MAX_FORM_BYTES);
  const fits = await app.request("/items/1", { method: "POST", body: limit });
  assert.match(await fits.text(), new RegExp(`item ${MAX_FORM_BYTES} bytes`));
  const declared = await app.request("/items/1", { method: "POST", body: limit + "+" });
  assert.equal(declared.status, 413);
  assert.equal((await declared.json()).error.code, "payload_too_large");
  const streamed = await app.request("/items/1", {
    method: "POST",
    body: ReadableStream.from([
      new TextEncoder().encode(limit.slice(6)),
      new TextEncoder().encode("012345+"),
    ]),
  });
  assert.equal(streamed.status, 413);
  await streamed.body?.cancel();
});

Deno.test("createPages() compresses pages unless the config's compress(url) says no", async () => {
  const gzip = { headers: { "Accept-Encoding": "gzip" } };
  const long: Manifest = {
    routes: { "./routes/[page].tsx": { default: () => <p>{"x".repeat(4096)}</p> } },
    islands: {},
  };
  using app = await createPagesTestApp(long, { compress: (url) => url.pathname !== "/plain" });
  const zipped = await app.request("/zipped", gzip);
  assert.equal(zipped.headers.get("Content-Encoding"), "gzip");
  await zipped.body?.cancel();
  const plain = await app.request("/plain", gzip);
  assert.equal(plain.headers.get("Content-Encoding"), null);
  await plain.body?.cancel();
});

Deno.test("static files: revalidated by default, cached for a year when versioned or hashed", async () => {
  using test = await createTestApp();
  const css = await test.request("/styles.css");
  assert.equal(css.status, 200);
  assert.equal(css.headers.get("Content-Type"), "text/css; charset=utf-8");
  assert.equal(css.headers.get("Cache-Control"), "no-cache");
  assert.match(await css.text(), /pages-island/);
  const versioned = await test.request("/styles.css?v=abc");
  assert.equal(versioned.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
  await versioned.body?.cancel();
});

Deno.test("static files: gzip for clients that accept it, identical once decompressed", async () => {
  using test = await createTestApp();
  const plain = await (await test.request("/styles.css")).text();
  const res = await test.request("/styles.css", { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(res.headers.get("Content-Encoding"), "gzip");
  assert.match(res.headers.get("Vary") ?? "", /Accept-Encoding/);
  const zipped = new Uint8Array(await res.arrayBuffer());
  assert.ok(zipped.length < plain.length / 2, `${zipped.length} bytes`);
  const unzipped = new Response(
    new Blob([zipped]).stream().pipeThrough(
      new DecompressionStream("gzip"),
    ),
  );
  assert.equal(await unzipped.text(), plain);
});

Deno.test("static files: no way out of static/ and no hidden files", async () => {
  using test = await createTestApp();
  for (
    const path of ["/..%2fdeno.json", "/%2e%2e/deno.json", "/_islands/.tmp/x.js", "/..%5cdeno.json"]
  ) {
    const res = await test.request(path);
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
});

Deno.test("createPages() loads an island given as a loader with the first route that renders it", async () => {
  let islandImports = 0;
  const Later = ({ n }: { n: number }) => <b>island {n}</b>;
  const lazy: Manifest = {
    routes: {
      "./routes/_app.tsx": manifest.routes["./routes/_app.tsx"],
      "./routes/later.tsx": () => Promise.resolve({ default: () => <Later n={7} /> }),
      "./routes/plain.tsx": () => Promise.resolve({ default: () => <p>plain</p> }),
    },
    islands: {
      "./islands/Later.tsx": () => {
        islandImports++;
        return Promise.resolve({ default: Later });
      },
    },
    routeIslands: { "./routes/later.tsx": ["./islands/Later.tsx"] },
  };
  using app = await createPagesTestApp(lazy);
  assert.match(await (await app.request("/plain")).text(), /<p>plain<\/p>/);
  assert.equal(islandImports, 0, "a route without the island does not load it");
  for (let i = 0; i < 2; i++) {
    const html = await (await app.request("/later")).text();
    assert.match(html, /<pages-island data-island="Later" data-key="0"><b>island 7<\/b>/);
  }
  assert.equal(islandImports, 1, "loaded once, with its route");
});

Deno.test("createPages() imports a route given as a loader on its first request, and again after a failed import", async () => {
  let imports = 0;
  let failNext = true;
  const lazy: Manifest = {
    routes: {
      "./routes/_app.tsx": manifest.routes["./routes/_app.tsx"],
      "./routes/later.tsx": () => {
        imports++;
        if (failNext) {
          failNext = false;
          return Promise.reject(new TypeError("Module not found"));
        }
        return Promise.resolve({ default: () => <p>later</p> });
      },
    },
    islands: {},
  };
  using app = await createPagesTestApp(lazy);
  assert.equal(imports, 0, "nothing is imported before the route's first request");
  const failed = await app.request("/later", { headers: { Accept: "text/html" } });
  assert.equal(failed.status, 500);
  assert.match(await failed.text(), /<!DOCTYPE html>/);
  for (let i = 0; i < 2; i++) {
    const res = await app.request("/later");
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<p>later<\/p>/);
  }
  assert.equal(imports, 2, "one failed import, then one that is kept");
});
