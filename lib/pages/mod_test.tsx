import assert from "node:assert/strict";
import { Hono } from "hono";
import { createTestApp } from "../testing/app.ts";
import { handleError, handleNotFound } from "../http/errors.ts";
import { requestContext } from "../http/middleware.ts";
import type { AppEnv } from "../http/context.ts";
import { ServiceUnavailableError, ValidationError } from "../errors.ts";
import { createIdentityProvider } from "../identity_provider.ts";
import { createPages, type Handlers, type Manifest, type PageProps } from "./mod.ts";

interface ItemData {
  id: string;
}
const itemHandler: Handlers<ItemData> = {
  GET: (ctx) =>
    ctx.render({ id: ctx.params.id }, {
      status: 201,
      headers: { "X-Extra": "yes" },
      csp: { "img-src": ["https://img.example"], "form-action": null },
    }),
  POST: () => {
    throw new ValidationError("Bad item.");
  },
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

/** A page app like `createApp`'s, over the test deps. */
async function pagesApp() {
  const test = await createTestApp();
  const app = new Hono<AppEnv>();
  app.use(requestContext(test.deps));
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.route("/", createPages(manifest));
  const request = (path: string, init?: RequestInit) =>
    Promise.resolve(app.fetch(new Request(new URL(path, "http://localhost:8000"), init)));
  return { test, request };
}

Deno.test("createPages() renders a page without a handler inside _app with a CSP", async () => {
  const { test, request } = await pagesApp();
  using _ = test;
  const res = await request("/");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), "text/html; charset=utf-8");
  assert.match(res.headers.get("Content-Security-Policy")!, /script-src 'self'; /);
  assert.equal(await res.text(), "<!DOCTYPE html><html><body><p>home /</p></body></html>");
});

Deno.test("createPages() passes params, status, headers and CSP additions from ctx.render()", async () => {
  const { test, request } = await pagesApp();
  using _ = test;
  const res = await request("/items/42");
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("X-Extra"), "yes");
  const csp = res.headers.get("Content-Security-Policy")!;
  assert.match(csp, /img-src 'self' data: https:\/\/img\.example/);
  assert.doesNotMatch(csp, /form-action/);
  assert.match(await res.text(), /<p>item 42<\/p>/);
});

Deno.test("createPages() prefers a static route over a parameter", async () => {
  const { test, request } = await pagesApp();
  using _ = test;
  const res = await request("/items/new");
  assert.match(await res.text(), /new item/);
});

Deno.test("createPages() answers 405 with Allow for a method the route does not handle", async () => {
  const { test, request } = await pagesApp();
  using _ = test;
  const res = await request("/", { method: "DELETE" });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get("Allow"), "GET, HEAD");
  await res.body?.cancel();
});

Deno.test("createPages() refuses cross-site form posts before the handler runs", async () => {
  const { test, request } = await pagesApp();
  using _ = test;
  const res = await request("/items/1", {
    method: "POST",
    headers: { Origin: "https://evil.example", Accept: "text/html" },
  });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /Cross-site request refused/);
});

Deno.test("an AppError thrown by a page handler becomes an HTML error page for browsers, JSON otherwise", async () => {
  const { test, request } = await pagesApp();
  using _ = test;
  const html = await request("/items/1", { method: "POST", headers: { Accept: "text/html" } });
  assert.equal(html.status, 400);
  assert.match(html.headers.get("Content-Type")!, /^text\/html/);
  assert.match(html.headers.get("Content-Security-Policy")!, /frame-ancestors 'none'/);
  assert.match(await html.text(), /<p>Bad item\.<\/p>/);
  const json = await request("/items/1", { method: "POST" });
  assert.equal(json.status, 400);
  assert.deepEqual(await json.json(), { error: { code: "invalid_request", message: "Bad item." } });
});

Deno.test("unknown paths get an HTML 404 for browsers; /api answers JSON even to browsers", async () => {
  using test = await createTestApp();
  const page = await test.request("/nowhere/<b>", { headers: { Accept: "text/html" } });
  assert.equal(page.status, 404);
  const body = await page.text();
  assert.match(body, /<title>Page not found · Todos<\/title>/);
  assert.doesNotMatch(body, /<b>/);
  const api = await test.request("/api/nowhere", { headers: { Accept: "text/html" } });
  assert.equal(api.status, 401);
  assert.equal((await api.json()).error.code, "unauthorized");
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

Deno.test("a route's config.user decides whether an identity outage fails the page", async () => {
  let checks = 0;
  const test = await createTestApp({
    identity: (config, kv) => ({
      ...createIdentityProvider(config, kv),
      getSessionUser: () => {
        checks++;
        return Promise.reject(new ServiceUnavailableError("Keys unreachable."));
      },
    }),
  });
  using _ = test;
  const who = ({ state }: PageProps) => <p>user {state.user?.id ?? "unknown"}</p>;
  const routes: Manifest["routes"] = {
    "./routes/strict.tsx": { default: who },
    "./routes/lenient.tsx": { default: who, config: { user: "lenient" } },
    "./routes/skip.tsx": { default: who, config: { user: "skip" } },
  };
  const app = new Hono<AppEnv>();
  app.use(requestContext(test.deps));
  app.onError(handleError);
  app.route("/", createPages({ routes, islands: {} }));
  const get = (path: string) => app.request(path, { headers: { Accept: "text/html" } });

  const strict = await get("/strict");
  assert.equal(strict.status, 503);
  await strict.body?.cancel();
  const lenient = await get("/lenient");
  assert.equal(lenient.status, 200);
  assert.match(await lenient.text(), /user unknown/);
  assert.equal(checks, 2);
  const skip = await get("/skip");
  assert.equal(skip.status, 200);
  assert.match(await skip.text(), /user unknown/);
  assert.equal(checks, 2, "a route with user: skip never asks the identity provider");
});
