import type { ComponentChildren, ComponentType } from "preact";
import type { Context } from "hono";
import type { User } from "../auth/identity.ts";
import type { AppEnv, Deps } from "../http/context.ts";
import type { CspDirectives } from "./csp.ts";

/** Per-request state handed to every handler and page (the Hono variables of `AppEnv`). */
export interface PageState {
  deps: Deps;
  /** The app's canonical origin, e.g. `http://localhost:8000`. */
  origin: string;
  /**
   * The signed-in user, or `null` (also `null` when the route's `config.user` is `"skip"`,
   * or `"lenient"` and the identity provider could not tell; see {@linkcode RouteConfig}).
   */
  user: User | null;
  requestId: string;
}

/** Props of a route's default-exported page component. */
export interface PageProps<Data = undefined> {
  data: Data;
  url: URL;
  params: Record<string, string>;
  state: PageState;
}

/** Props of `routes/_app.tsx`: the page props plus the page itself as `Component`. */
export interface AppProps extends PageProps<unknown> {
  Component: ComponentType;
}

/** Options of `ctx.render()`. */
export interface RenderInit {
  /** HTTP status, 200 unless set. */
  status?: number;
  headers?: HeadersInit;
  /**
   * Additions to this page's Content-Security-Policy: sources are appended to the base
   * directive, `null` removes a directive (see `csp.ts`).
   */
  csp?: CspDirectives;
}

/** What a handler receives (Fresh 2 style: one `ctx` argument). */
export interface RouteContext<Data = undefined> {
  req: Request;
  url: URL;
  params: Record<string, string>;
  state: PageState;
  /** The underlying Hono context, for cookies and anything else Hono offers. */
  hono: Context<AppEnv>;
  /** Renders the route's page component with `data` into an HTML response. */
  render(data?: Data, init?: RenderInit): Response;
  /** A redirect, 303 unless `status` is given (a form POST then lands on a GET). */
  redirect(location: string, status?: 301 | 302 | 303 | 307 | 308): Response;
}

/** One method's handler. */
export type Handler<Data = undefined> = (ctx: RouteContext<Data>) => Response | Promise<Response>;

/** A route's `handler` export: one function per HTTP method. */
export type Handlers<Data = undefined> = Partial<
  Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler<Data>>
>;

/**
 * A route's optional `config` export (like Fresh's `RouteConfig`).
 *
 * `user` says how much the route depends on knowing who is signed in, which decides what
 * happens when the identity provider cannot tell (e.g. Stytch's signing keys cannot be
 * fetched while a session cookie is present):
 * - `"strict"` (default): `state.user` is resolved before the handler; if the provider
 *   cannot tell, the request fails with 503 (a page that guards data must not guess).
 * - `"lenient"`: resolved the same way, but `null` when the provider cannot tell, so the
 *   page still works (e.g. `/login`, which only skips the form for a signed-in person).
 * - `"skip"`: never resolved, `state.user` is `null` and no key fetch happens (e.g.
 *   `/logout`, `/authenticate`, redirects).
 */
export interface RouteConfig {
  user?: "strict" | "lenient" | "skip";
}

/** What a file in `routes/` may export. */
export interface RouteModule {
  /** The page (`PageProps`), or for `_app.tsx` the shell (`AppProps`). */
  // deno-lint-ignore no-explicit-any
  default?: ComponentType<any>;
  // deno-lint-ignore no-explicit-any
  handler?: Handlers<any>;
  config?: RouteConfig;
}

/** What a file in `islands/` exports: the island component as its default export. */
export interface IslandModule {
  // deno-lint-ignore no-explicit-any
  default: ComponentType<any>;
}

/** The generated `pages.gen.ts`: every route and island module, keyed by file path. */
export interface Manifest {
  routes: Record<string, RouteModule>;
  islands: Record<string, IslandModule>;
}

/** Children collected by `<Head>`. */
export type HeadChildren = ComponentChildren;
