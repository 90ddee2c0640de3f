/** One request through a route: its `ctx` (Fresh's `FreshContext`), middleware chain and handler. */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { h } from "preact";
import type { AppEnv } from "../http/context.ts";
import { buildCsp } from "./csp.ts";
import { renderPage } from "./render.ts";
import type { PageCache } from "./page_cache.ts";
import type { Route, RouteTable } from "./route_table.ts";
import type { FreshContext, RenderOptions, UnknownPageProps } from "./types.ts";

/** The 404 page of a manifest without `routes/_404.tsx`. */
function DefaultNotFound({ url }: UnknownPageProps) {
  return h("main", null, h("h1", null, "Not found"), h("p", null, `Nothing at ${url.pathname}.`));
}

/**
 * An HTML response through Hono's context (so cookies set with `hono/cookie` are kept), with
 * the page CSP and, unless `options.headers` names one, `Cache-Control: private, no-cache`.
 */
export function htmlResponse(
  c: Context<AppEnv>,
  html: string | Uint8Array<ArrayBuffer>,
  options: RenderOptions,
): Response {
  const extra = new Headers(options.headers);
  for (const [name, value] of extra) {
    c.header(name, value, { append: name.toLowerCase() === "set-cookie" });
  }
  c.header("Content-Type", "text/html; charset=utf-8");
  c.header("Content-Security-Policy", buildCsp(options.csp));
  if (!extra.has("Cache-Control")) c.header("Cache-Control", "private, no-cache");
  return c.body(html, (options.status ?? 200) as ContentfulStatusCode);
}

/** Where `ctx.render(data, { memo })` keeps pages, and whether it may answer their gzip. */
export interface Memo {
  cache: PageCache;
  /** The route's answers may be compressed (the config's `compress(url)` did not say no). */
  gzip: boolean;
}

/** A new `ctx` for `route` with empty state; `next()` is set for each middleware it runs. */
export function createContext(
  c: Context<AppEnv>,
  route: Route,
  table: RouteTable,
  memo?: Memo,
): FreshContext {
  const url = new URL(c.req.url);
  const params = c.req.param() as Record<string, string>;
  const props = (data: unknown) => ({ data, url, route: route.pattern, params, state: ctx.state });
  const ctx: FreshContext = {
    req: c.req.raw,
    url,
    params,
    state: {},
    route: route.pattern,
    render(data, options = {}) {
      if (!route.page) throw new Error(`Route ${route.pattern} has no default-exported page.`);
      const page = route.page;
      const render = () => renderPage(route.app, route.layouts, page, props(data));
      if (!options.memo || !memo) return htmlResponse(c, render(), options);
      const kept = memo.cache.page(options.memo.key, options.memo.version, render);
      if (kept.gzip && memo.gzip && acceptsGzip(c)) {
        c.header("Content-Encoding", "gzip"); // compress() leaves encoded answers alone
        return htmlResponse(c, kept.gzip, options);
      }
      return htmlResponse(c, kept.html, options);
    },
    renderNotFound(data) {
      const page = table.notFound.page ?? DefaultNotFound;
      const html = renderPage(table.app, [], page, { ...props(data), route: "" });
      return htmlResponse(c, html, { status: 404, headers: { "Cache-Control": "no-store" } });
    },
    next() {
      throw new Error("ctx.next() is only for middleware.");
    },
    redirect: (location, status = 303) => c.redirect(location, status),
    hono: c,
  };
  return ctx;
}

/** True when the request's `Accept-Encoding` takes gzip (and does not refuse it with q=0). */
function acceptsGzip(c: Context<AppEnv>): boolean {
  const gzip = (c.req.header("Accept-Encoding") ?? "").split(",").map((part) => part.trim())
    .find((part) => /^gzip(\s*;|$)/i.test(part));
  return gzip !== undefined && !/;\s*q=0(\.0*)?\s*$/i.test(gzip);
}

/** Runs `middlewares` in order around `last` (each goes on with `ctx.next()`). */
export function runMiddlewares(
  ctx: FreshContext,
  middlewares: Route["middlewares"],
  last: () => Response | Promise<Response>,
): Promise<Response> {
  const run = async (i: number): Promise<Response> => {
    if (i === middlewares.length) return await last();
    let called = false;
    ctx.next = () => {
      if (called) throw new Error("ctx.next() called twice by one middleware.");
      called = true;
      return run(i + 1);
    };
    return await middlewares[i](ctx.req, ctx);
  };
  return run(0);
}
