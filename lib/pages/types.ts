/** The page layer's public types, named and shaped like Fresh 1.x's (differences: mod.ts). */
import type { ComponentType } from "preact";
import type { Context } from "hono";
import type { AppEnv } from "../http/context.ts";
import type { CspDirectives } from "./csp.ts";

// Defaults as in Fresh 1.x: data `any`, state a plain record.
// deno-lint-ignore no-explicit-any
type Any = any;
type DefaultState = Record<string, unknown>;

/** Options of `ctx.render()`: Fresh's (status, headers) plus CSP additions. */
export interface RenderOptions {
  /** HTTP status, 200 unless set. */
  status?: number;
  headers?: HeadersInit;
  /**
   * Additions to this page's Content-Security-Policy: sources are appended to the base
   * directive, `null` removes a directive (see `csp.ts`).
   */
  csp?: CspDirectives;
  /**
   * Not in Fresh: reuse the page rendered earlier for the same `key` while `version` stands
   * (lib/pages/page_cache.ts), and its gzip for clients that accept it. `key` must name
   * everything the page shows apart from the data `version` stands for (the user, the origin,
   * the query); never for pages with one-off content (a notice, a form error). Headers (CSP,
   * cookies) are still set per request.
   */
  memo?: { key: string; version: string };
}

/** What handlers and middleware receive as `ctx` (Fresh 1.x's `FreshContext`). */
export interface FreshContext<State = DefaultState, Data = Any> {
  req: Request;
  url: URL;
  params: Record<string, string>;
  /** Per-request state, `{}` at first; middleware fills it (routes/_middleware.ts). */
  state: State;
  /** The matched route pattern, e.g. `/todos/:id` (`""` for an unknown path). */
  route: string;
  /** Renders the route's page inside its layouts and `_app` into an HTML response. */
  render(data?: Data, options?: RenderOptions): Response;
  /** Renders `routes/_404.tsx` with status 404. */
  renderNotFound(data?: unknown): Response;
  /** In middleware: runs the next middleware, or the route. */
  next(): Promise<Response>;
  /** Not in Fresh 1.x (Fresh 2's helper): a redirect, 303 unless `status` is given. */
  redirect(location: string, status?: 301 | 302 | 303 | 307 | 308): Response;
  /** Not in Fresh: the underlying Hono context, for cookies (`hono/cookie`) and the client address. */
  hono: Context<AppEnv>;
}

/** One method's handler: `(req, ctx)` as in Fresh 1.x. */
export type Handler<Data = Any, State = DefaultState> = (
  req: Request,
  ctx: FreshContext<State, Data>,
) => Response | Promise<Response>;

/** The HTTP methods a route may handle. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A route's `handler` export: one function per HTTP method. */
export type Handlers<Data = Any, State = DefaultState> = Partial<
  Record<Method, Handler<Data, State>>
>;

/** A `_middleware.ts` file's `handler`: call `ctx.next()` to go on, or answer instead. */
export type MiddlewareHandler<State = DefaultState> = (
  req: Request,
  ctx: FreshContext<State>,
) => Response | Promise<Response>;

/** Props of a route's default-exported page component. */
export interface PageProps<Data = Any, State = DefaultState> {
  data: Data;
  url: URL;
  /** The matched route pattern. */
  route: string;
  params: Record<string, string>;
  state: State;
}

/** Props of `routes/_app.tsx`: the page props plus what it wraps as `Component`. */
export interface AppProps<Data = Any, State = DefaultState> extends PageProps<Data, State> {
  Component: ComponentType;
}

/** Props of a `_layout.tsx`: like `_app`'s; `Component` is the page (or the next layout). */
export type LayoutProps<Data = Any, State = DefaultState> = AppProps<Data, State>;

/** Props of `routes/_404.tsx`. */
export type UnknownPageProps<Data = Any, State = DefaultState> = PageProps<Data, State>;

/** Props of `routes/_500.tsx`: `error` is what was thrown, as an `AppError` (lib/errors.ts). */
export interface ErrorPageProps<State = DefaultState> extends PageProps<undefined, State> {
  error: unknown;
  /** The route pattern that failed. */
  pattern: string;
}

/** What a file in `routes/` may export (pages, layouts, middleware, `_app`, `_404`, `_500`). */
export interface RouteModule {
  default?: ComponentType<Any>;
  handler?: Handler<Any, Any> | Handlers<Any, Any> | MiddlewareHandler<Any>[];
}

/** What a file in `islands/` exports: the island component as its default export. */
export interface IslandModule {
  default: ComponentType<Any>;
}

/**
 * The generated `pages.gen.ts`: every route and island module, keyed by file path. A page
 * route may be given as its loader (`() => import("./routes/x.tsx")`): it loads on its first
 * request. Special files (`_app`, `_layout`, `_middleware`, `_404`, `_500`) are modules.
 */
export interface Manifest {
  routes: Record<string, RouteModule | (() => Promise<RouteModule>)>;
  /** An island given as its loader loads with the first route `routeIslands` lists it for. */
  islands: Record<string, IslandModule | (() => Promise<IslandModule>)>;
  /** Page route path -> the islands given as loaders that it renders. */
  routeIslands?: Record<string, string[]>;
}
