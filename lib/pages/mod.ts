/**
 * The page layer: Fresh 1.x's file conventions (`routes/` with `_app`, `_layout`, `_middleware`,
 * `_404` and `_500`, `islands/`, `fresh.config.ts`) on Preact and Hono. {@linkcode createPages}
 * turns the generated `pages.gen.ts` into a Hono sub-app, which lib/app.ts mounts after the app's
 * other areas; route files import their types (`Handlers`, `PageProps`, `LayoutProps`,
 * `FreshContext`, ...), `Head`, `asset` and `defineConfig` from here.
 *
 * Every page route gets, before its middleware and handler: cross-site POST/PUT/PATCH/DELETE
 * refused (403), bodies over {@linkcode MAX_FORM_BYTES} refused (413), gzip unless the config's
 * `compress(url)` says no; every page a Content-Security-Policy (csp.ts). What a route throws
 * renders `_500` with the error's status (error_pages.ts). After the routes, `static/` is served
 * from the build's list of files (static.ts), then `_404`.
 *
 * How to add a route, layout, middleware or island, and where this layer differs from Fresh:
 * docs/pages.md.
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
import { lazyImport } from "../lazy_import.ts";
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
  const table = routeTable(manifest, islandsLoader(manifest));
  const gzip = compressAnswers();
  const compressible = (c: Context<AppEnv>) => config.compress?.(new URL(c.req.url)) !== false;
  const compressPage: MiddlewareHandler<AppEnv> = (c, next) =>
    compressible(c) ? gzip(c, next) : next();
  const cache = new PageCache();

  const pages = new Hono<AppEnv>();
  // Per route, not `pages.use()`: the sub-app is mounted at `/`, where `use` would also run
  // for paths other areas own.
  for (const route of table.routes) {
    pages.all(route.pattern, compressPage, async (c) => {
      let loaded: Route;
      try {
        loaded = await route.load();
      } catch (error) {
        return errorResponse(c, error, table, route);
      }
      return await serveRoute(c, loaded, table, { cache, gzip: compressible(c) });
    });
  }
  // Static files are public, so compressing them leaks nothing.
  pages.get("*", gzip, serveStatic());
  pages.all("*", (c) => notFoundResponse(c, table));
  return pages;
}

/**
 * Registers the islands `manifest` imports, and returns what loads and registers a page
 * route's islands given as loaders (they render on the server, so they load with the route).
 */
function islandsLoader(manifest: Manifest): (routePath: string) => Promise<unknown> {
  const loaders = new Map<string, () => Promise<void>>();
  for (const [path, entry] of Object.entries(manifest.islands)) {
    const name = islandName(path.replace(/^\.\/islands\//, ""));
    if (typeof entry !== "function") registerIsland(name, entry.default);
    else loaders.set(path, lazyImport(async () => registerIsland(name, (await entry()).default)));
  }
  return (routePath) =>
    Promise.all((manifest.routeIslands?.[routePath] ?? []).map((path) => {
      const load = loaders.get(path);
      if (!load) throw new Error(`${routePath}: ${path} is not an island given as a loader.`);
      return load();
    }));
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
