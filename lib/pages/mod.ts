/**
 * The page layer: Fresh 1.x's names and file conventions on plain Preact + Hono (Fresh itself is
 * JSR-only). A Fresh 1.x reader knows every file; where this layer differs, it says so here.
 *
 * ## Files
 * `deno task build` (`dev.ts build`, or `deno task dev` on every change) regenerates
 * `pages.gen.ts`, the static list of route and island modules (like Fresh's `fresh.gen.ts`).
 * URLs come from file names as in Fresh: `index.tsx` -> `/`, `about.tsx` -> `/about`,
 * `todos/[id].tsx` -> `/todos/:id`, `[...path].tsx` -> the rest of the path, `(group)/` folders
 * add nothing to the URL. Files starting with `_` are not routes:
 * - `routes/_app.tsx`: the HTML shell around every page (`AppProps`: `Component`);
 * - `_layout.tsx` in any folder: wraps the pages below it, outermost first (`LayoutProps`);
 * - `_middleware.ts` in any folder: runs before the pages below it, outermost first;
 * - `routes/_404.tsx`: paths no route answers, and `ctx.renderNotFound()` (`UnknownPageProps`);
 * - `routes/_500.tsx`: what a page route throws (`ErrorPageProps`: `error`).
 *
 * ## Add a route
 * ```tsx
 * import type { PageState } from "../lib/http/page_state.ts"; // what routes/_middleware.ts sets
 * import { type Handlers, Head, type PageProps } from "../lib/pages/mod.ts";
 *
 * interface Data { name: string }
 * export const handler: Handlers<Data, PageState> = {
 *   GET(req, ctx) {                 // ctx: url, params, state, route, render, renderNotFound, ...
 *     return ctx.render({ name: ctx.params.id }, { csp: { "img-src": ["https://img.example"] } });
 *   },
 *   async POST(req, ctx) {          // cross-site POST/PUT/PATCH/DELETE get 403 before this
 *     const form = await req.formData();
 *     return ctx.redirect(ctx.url.pathname); // 303
 *   },
 * };
 * export default function Page({ data, url, params, state }: PageProps<Data, PageState>) {
 *   return <><Head><title>{data.name}</title></Head><h1>Hello {data.name}</h1></>;
 * }
 * ```
 * Without a GET handler, GET renders the page with `data` undefined; other methods without a
 * handler answer 405; `handler` may also be one function for every method. `export const
 * config: RouteConfig` takes Fresh's `routeOverride`, `skipAppWrapper` and
 * `skipInheritedLayouts`. A page under `routes/(app)/` is signed-in only: its state is
 * `SignedInState` (`state.user`); elsewhere `await ctx.state.lookupUser()` asks who is there.
 *
 * ## Add middleware or a layout
 * ```ts
 * // routes/(app)/_middleware.ts: runs before every page under routes/(app)/
 * export async function handler(req: Request, ctx: FreshContext<SignedInState>) {
 *   const user = await ctx.state.lookupUser();
 *   if (!user) return ctx.redirect(loginUrl(ctx.url), 302);
 *   ctx.state.user = user;
 *   return await ctx.next();
 * }
 * // routes/(app)/_layout.tsx: wraps every page under routes/(app)/
 * export default function Layout({ Component, state }: LayoutProps<unknown, SignedInState>) {
 *   return <><header>{state.user.email}</header><Component /></>;
 * }
 * ```
 * `ctx.state` starts as `{}` for each request; this app's root `routes/_middleware.ts` fills it.
 *
 * ## Add an island
 * Create `islands/<Name>.tsx` with a default-exported component, use it in a route or layout like
 * a normal component, run `deno task build`. The server renders it, wraps it in
 * `<pages-island data-island="Name" data-key="0">` and writes its props into a
 * `<script type="application/json">` block (escaped, so text like `</script>` stays inert);
 * the page loads only the bundles of the islands it contains, which hydrate it.
 * Rules: props must be JSON data (no functions, no JSX children, no Dates), checked at
 * render time; only the default export is an island; an island used inside another
 * island is an ordinary component of the outer one (islands do not nest). `components/` is
 * shared code (server and browser) and never imports an island.
 *
 * ## Configuration: fresh.config.ts
 * `export default defineConfig({ plugins: [...] })`; a plugin's `buildStart`/`buildEnd` run
 * with every build (this app's MCP App view is one, mcp_app/build.ts). lib/app.ts passes the
 * config to `createPages(manifest, config)`, the one place the app wires this layer.
 *
 * ## Where this layer differs from Fresh 1.x
 * - It is a Hono sub-app: `createPages(manifest, config)` (lib/app.ts) mounts it after the
 *   app's other areas (`/api`, `/mcp`, `/oauth`), which are not routes.
 * - `ctx.redirect(location, status = 303)` (Fresh 2's name) and `ctx.hono` (the Hono context:
 *   cookies through `hono/cookie`, the client address) are extra. `ctx.render()` takes
 *   `{ status, headers, csp, memo }`; no async route components, no partials, no plugin routes.
 * - `ctx.render(data, { memo: { key, version } })` keeps the rendered page (and its gzip) per
 *   app and reuses it while `version` stands for the same `key` (page_cache.ts, 16 MiB).
 * - Every page gets a Content-Security-Policy (`BASE_CSP`, csp.ts: scripts from 'self' only,
 *   no inline scripts); `ctx.render(data, { csp: { "connect-src": [x] } })` appends sources,
 *   `{ "form-action": null }` drops a directive. So `RouteConfig` has no `csp` switch.
 * - Built in for every page route: cross-site POST/PUT/PATCH/DELETE get 403 (CSRF), bodies over
 *   `maxFormBytes` (fresh.config.ts, 64 KiB) get 413, and pages are gzip-compressed unless the
 *   config's `compress(url)` says no.
 * - Errors: `_500` renders with the thrown `AppError`'s status (not always 500) and message;
 *   a client that does not accept HTML gets the app's JSON error instead of `_500`/`_404`.
 * - Middleware runs for page routes and, root folder only, before `_404`; not for static
 *   files. A `(group)/_middleware.ts` runs only for the group's own pages. A middleware may set
 *   `ctx.req` (and `ctx.url`) to another request for the same route; the handler of its method
 *   runs (routes/(app)/_middleware.ts replays a form kept over sign-in this way).
 * - `_404` and `_500` render inside `_app` without layouts, and take no handler.
 *
 * ## Static files
 * `static/` is served at `/`; `asset("/styles.css")` adds the build id for long caching.
 * Island bundles go to `static/_islands/` (content-hashed, cached for a year). Text files are
 * sent gzip-compressed to clients that accept it; others revalidate with an `ETag`.
 *
 * Only files known at build time are served: the build walks `static/` and lists every
 * servable file (path -> content type, size, hash) in `static/_islands/manifest.json`.
 * A request is answered only when its path is exactly a listed path (decoded once; listed
 * names need no escapes, so each has one spelling); every other path is a 404, so no
 * spelling of `..`, `%2e`, `%252e`, `\`, `%c0%ae`, NUL or an encoded `?`/`#` can reach a file
 * outside `static/`. A file added to `static/` is not served until the build runs again
 * (`deno task dev` rebuilds on every change; `deno task start` builds first). The build
 * leaves out, and names, hidden files, symbolic links, names with characters other than
 * letters, digits, `.`, `_` and `-`, and types outside `STATIC_TYPES` (static_files.ts).
 */
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import { PayloadTooLargeError } from "../errors.ts";
import type { AppEnv } from "../http/context.ts";
import { compressAnswers, refuseCrossSiteWrites } from "../http/middleware.ts";
import type { FreshConfig } from "./fresh_config.ts";
import { createContext, type Memo, runMiddlewares } from "./context.ts";
import { PageCache } from "./page_cache.ts";
import { errorResponse, notFoundResponse } from "./error_pages.ts";
import { registerIsland } from "./islands.ts";
import { type Route, type RouteTable, routeTable } from "./route_table.ts";
import { islandName } from "./routing.ts";
import { serveStatic } from "./static.ts";
import type { FreshContext, Manifest } from "./types.ts";

export type * from "./types.ts";
export { asset } from "./assets.ts";
export { defineConfig, type FreshConfig, type Plugin } from "./fresh_config.ts";
export { Head } from "./head.ts";

/** The largest request body a page accepts (a form post); larger ones get 413. */
export const MAX_FORM_BYTES = 64 * 1024;

/**
 * The Hono sub-app serving every route in `manifest`, then `static/`, then `_404` for any other
 * path. Mount it at `/` after the app's other areas.
 */
export function createPages(manifest: Manifest, config: FreshConfig = {}): Hono<AppEnv> {
  for (const [path, module] of Object.entries(manifest.islands)) {
    registerIsland(islandName(path.replace(/^\.\/islands\//, "")), module.default);
  }
  const table = routeTable(manifest);
  const gzip = compressAnswers();
  const compressible = (c: Context<AppEnv>) => config.compress?.(new URL(c.req.url)) !== false;
  const compressPage: MiddlewareHandler<AppEnv> = (c, next) =>
    compressible(c) ? gzip(c, next) : next();
  const cache = new PageCache();

  const pages = new Hono<AppEnv>();
  // Per route, not `pages.use()`: the sub-app is mounted at `/`, where `use` would also run
  // for paths other areas own.
  for (const route of table.routes) {
    pages.all(
      route.pattern,
      compressPage,
      (c) => serveRoute(c, route, table, { cache, gzip: compressible(c) }),
    );
  }
  // Static files are public, so compressing them leaks nothing.
  pages.get("*", gzip, serveStatic());
  pages.all("*", (c) => notFoundResponse(c, table));
  return pages;
}

const refuseCrossSite = refuseCrossSiteWrites();

/** One request for `route`: guards, middleware, handler; what is thrown becomes `_500`. */
async function serveRoute(
  c: Context<AppEnv>,
  route: Route,
  table: RouteTable,
  memo: Memo,
): Promise<Response> {
  // Hono answers HEAD with the GET route's response, body dropped.
  const handler = route.handlerFor(c.req.method === "HEAD" ? "GET" : c.req.method);
  if (!handler) {
    c.header(
      "Allow",
      [...route.allowed, ...(route.allowed.includes("GET") ? ["HEAD"] : [])].join(", "),
    );
    return c.text("Method not allowed.", 405);
  }
  let ctx: FreshContext | undefined;
  try {
    await refuseCrossSite(c, () => Promise.resolve());
    limitBody(c, MAX_FORM_BYTES);
    const current = ctx = createContext(c, route, table, memo);
    return await runMiddlewares(current, route.middlewares, () => {
      // A middleware may hand on another request for this route (`ctx.req`, e.g. a form kept
      // over sign-in and replayed): the handler of that request's method runs.
      const last = current.req === c.req.raw ? handler : route.handlerFor(current.req.method);
      if (!last) throw new Error(`Route ${route.pattern} has no ${current.req.method} handler.`);
      return last(current.req, current);
    });
  } catch (error) {
    return errorResponse(c, error, table, route, ctx?.state);
  }
}

/**
 * Refuses a body over `max` bytes: at once when `Content-Length` says so, else while it is
 * read (the stream fails with `PayloadTooLargeError`).
 */
function limitBody(c: Context<AppEnv>, max: number): void {
  const declared = c.req.header("Content-Length");
  if (declared !== undefined) {
    if (Number(declared) > max) throw new PayloadTooLargeError(max);
    return;
  }
  const body = c.req.raw.body;
  if (!body) return;
  let size = 0;
  const limited = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > max) controller.error(new PayloadTooLargeError(max));
        else controller.enqueue(chunk);
      },
    }),
  );
  c.req.raw = new Request(c.req.raw, { body: limited, duplex: "half" } as RequestInit);
}
