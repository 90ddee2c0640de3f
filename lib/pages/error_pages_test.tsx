/**
 * The page surface's errors: every family member thrown by a page route is `_500` with its
 * status, message and headers for a browser, and the plain JSON answer for any other client;
 * an unexpected error shows nothing of itself. Unknown paths are `_404`.
 */
import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { AppError } from "../errors.ts";
import { assertCoversFamily, capturingErrors, FAMILY } from "../testing/error_family.ts";
import { createPagesTestApp } from "../testing/pages.ts";
import type { ErrorPageProps, FreshContext, Manifest, UnknownPageProps } from "./mod.ts";

/** Per member: status and headers (null: must be absent) of the HTML page. */
const PAGES: Record<string, [number, Record<string, string | null>]> = {
  AppError: [418, {}],
  ValidationError: [400, {}],
  InvalidJsonError: [400, {}],
  BearerRequestError: [400, { "WWW-Authenticate": null }],
  UnauthorizedError: [401, { "WWW-Authenticate": null }],
  InvalidTokenError: [401, {}],
  ForbiddenError: [403, {}],
  InsufficientScopeError: [403, {}],
  NotFoundError: [404, {}],
  MethodNotAllowedError: [405, { Allow: "POST, OPTIONS" }],
  ConflictError: [409, {}],
  WriteConflictError: [409, {}],
  PayloadTooLargeError: [413, {}],
  UnsupportedMediaTypeError: [415, {}],
  TooManyRequestsError: [429, { "Retry-After": "42" }],
  InternalError: [500, { "X-Request-Id": "req-1" }],
  ServiceUnavailableError: [503, { "Retry-After": "5" }],
  StorageError: [503, { "Retry-After": "60" }],
  OAuthError: [401, {}],
  AuthorizePageError: [400, {}],
  "unexpected TypeError": [500, {}],
};

/** `text` in a paragraph, escaped as the page renders it. */
const paragraph = (text: string) => renderToString(<p>{text}</p>);

/** A manifest whose `/throw/:name` page throws that family member (from a middleware for `mw`). */
const manifest: Manifest = {
  routes: {
    "./routes/_middleware.ts": {
      handler: async (req: Request, ctx: FreshContext<{ seen: boolean }>) => {
        ctx.state.seen = true;
        const name = new URL(req.url).searchParams.get("mw");
        if (name) throw FAMILY[name]();
        return await ctx.next();
      },
    },
    "./routes/_500.tsx": {
      default: ({ error, pattern }: ErrorPageProps) => (
        <main>
          <h1>{(error as AppError).status} at {pattern}</h1>
          <p>{(error as AppError).message}</p>
        </main>
      ),
    },
    "./routes/_404.tsx": {
      default: ({ url, state }: UnknownPageProps<unknown, { seen?: boolean }>) => (
        <p>No {url.pathname} (middleware ran: {String(state.seen)})</p>
      ),
    },
    "./routes/throw/[name].tsx": {
      handler: {
        GET: (_req, ctx) => {
          throw FAMILY[ctx.params.name]();
        },
      },
    },
  },
  islands: {},
};

Deno.test("the pages table names every member of the error family", () => {
  assertCoversFamily(PAGES, "pages");
});

Deno.test("every family member thrown by a page is _500 for a browser: status, message, headers, no store", async () => {
  using app = await createPagesTestApp(manifest);
  for (const [name, [status, headers]] of Object.entries(PAGES)) {
    const [response, logged] = await capturingErrors(() =>
      app.request(`/throw/${encodeURIComponent(name)}`, { headers: { Accept: "text/html" } })
    );
    assert.equal(response.status, status, name);
    assert.match(response.headers.get("Content-Type")!, /^text\/html/, name);
    assert.equal(response.headers.get("Cache-Control"), "no-store", name);
    assert.match(response.headers.get("Content-Security-Policy")!, /frame-ancestors 'none'/, name);
    const html = await response.text();
    assert.match(html, new RegExp(`<h1>${status} at /throw/:name</h1>`), name);
    const error = FAMILY[name]();
    if (error instanceof AppError) {
      assert.ok(html.includes(paragraph(error.message)), name);
    } else {
      assert.doesNotMatch(html, /secret|internals/, name);
      assert.match(html, /request [\w-]{36}/, "names the request id");
      assert.equal(logged.length, 1, "an unexpected error is logged once");
    }
    for (const [header, value] of Object.entries(headers)) {
      assert.equal(response.headers.get(header), value, `${name}: ${header}`);
    }
  }
});

Deno.test("every family member thrown by a page is the plain JSON answer for a client that wants no HTML", async () => {
  using app = await createPagesTestApp(manifest);
  for (const [name, [status, headers]] of Object.entries(PAGES)) {
    const [response] = await capturingErrors(() =>
      app.request(`/throw/${encodeURIComponent(name)}`)
    );
    assert.equal(response.status, status, name);
    const body = await response.json();
    assert.deepEqual(Object.keys(body.error), ["code", "message"], name);
    for (const [header, value] of Object.entries(headers)) {
      assert.equal(response.headers.get(header), value, `${name}: ${header}`);
    }
  }
});

Deno.test("an error thrown by a middleware is _500 too", async () => {
  using app = await createPagesTestApp(manifest);
  const res = await app.request("/throw/x?mw=ForbiddenError", { headers: { Accept: "text/html" } });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /<h1>403 at \/throw\/:name<\/h1>/);
});

Deno.test("an unknown path is _404 (after the root middleware) for browsers, JSON otherwise", async () => {
  using app = await createPagesTestApp(manifest);
  const page = await app.request("/nowhere/<b>", { headers: { Accept: "text/html" } });
  assert.equal(page.status, 404);
  assert.equal(page.headers.get("Cache-Control"), "no-store");
  const html = await page.text();
  assert.match(html, /<p>No \/nowhere\/%3Cb%3E \(middleware ran: true\)<\/p>/);
  assert.doesNotMatch(html, /<b>/);
  const json = await app.request("/nowhere", { method: "POST" });
  assert.equal(json.status, 404);
  assert.equal((await json.json()).error.code, "not_found");
});

Deno.test("ctx.renderNotFound() renders _404 with status 404", async () => {
  using app = await createPagesTestApp({
    routes: {
      ...manifest.routes,
      "./routes/missing.tsx": { handler: { GET: (_req, ctx) => ctx.renderNotFound() } },
    },
    islands: {},
  });
  const res = await app.request("/missing");
  assert.equal(res.status, 404);
  assert.match(await res.text(), /<p>No \/missing/);
});
