/**
 * The page layer: Fresh's conventions on plain Preact + Hono (Fresh itself is JSR-only).
 *
 * ## Add a route
 * Create a file in `routes/` and run `deno task build` (or keep `deno task dev` running),
 * which regenerates `pages.gen.ts`, the static list of route and island modules (Deno
 * Deploy cannot discover files at run time). File names map to URLs like Fresh:
 * `index.tsx` -> `/`, `about.tsx` -> `/about`, `todos/[id].tsx` -> `/todos/:id`,
 * `[...path].tsx` -> the rest of the path, `(group)/` folders add nothing to the URL,
 * files or folders starting with `_` are not routes (`_app.tsx` is the HTML shell).
 * Fresh's `_middleware`, `_layout`, `_404` and `_500` files are not supported: the build
 * stops with a message rather than ignore them (check the session in a handler, share markup
 * through `components/`, throw an `AppError` for an error page).
 *
 * ```tsx
 * import type { Handlers, PageProps } from "../lib/pages/mod.ts";
 * import { Head } from "../lib/pages/mod.ts";
 *
 * interface Data { name: string }
 * export const handler: Handlers<Data> = {
 *   GET(ctx) {                      // ctx: req, url, params, state, hono, render, redirect
 *     if (!ctx.state.user) return ctx.redirect("/login");
 *     return ctx.render({ name: ctx.params.id }, { csp: { "img-src": ["https://img.example"] } });
 *   },
 *   async POST(ctx) {               // cross-site POST/PUT/PATCH/DELETE get 403 before this
 *     const form = await ctx.req.formData();
 *     return ctx.redirect(ctx.url.pathname); // 303
 *   },
 * };
 * export default function Page({ data, url, params, state }: PageProps<Data>) {
 *   return <><Head><title>{data.name}</title></Head><h1>Hello {data.name}</h1></>;
 * }
 * ```
 * Without a GET handler, GET renders the page with `data` undefined. Other methods without a
 * handler answer 405. `state` is `{ deps, origin, user, requestId }` (`user` is `null`
 * when nobody is signed in). Throw an `AppError` (lib/errors.ts) for a readable HTML error
 * page with its status.
 *
 * The session is checked before the handler runs. A page that works without knowing the
 * user says so, so that an identity provider outage (Stytch's keys unreachable) does not
 * take it down with a 503: `export const config: RouteConfig = { user: "lenient" }` (user
 * or `null`) or `{ user: "skip" }` (never checked), see {@linkcode RouteConfig}.
 *
 * ## Add an island
 * Create `islands/Name.tsx` with a default-exported component, use it in any page like a
 * normal component, run `deno task build`. The server renders it, wraps it in
 * `<pages-island data-island="Name" data-key="0">` and writes its props into a
 * `<script type="application/json">` block (escaped, so text like `</script>` stays inert);
 * the page loads only the bundles of the islands it contains, which hydrate it.
 * Rules: props must be JSON data (no functions, no JSX children, no Dates), checked at
 * render time; only the default export is an island; an island used inside another
 * island is an ordinary component of the outer one (islands do not nest).
 * Shared code goes in `components/` (server and browser).
 *
 * ## Content-Security-Policy
 * Every page gets {@linkcode BASE_CSP} (scripts from 'self' only, no inline scripts,
 * frame-ancestors/base-uri/object-src 'none', form-action 'self'). A page extends it per
 * response: `ctx.render(data, { csp: { "connect-src": ["https://x.example"] } })` appends
 * sources; `{ "form-action": null }` removes a directive.
 *
 * ## Static files
 * `static/` is served at `/`; `asset("/styles.css")` adds the build id for long caching.
 * Island bundles go to `static/_islands/` (content-hashed, cached for a year). Text files are
 * sent gzip-compressed to clients that accept it; others revalidate with an `ETag`.
 *
 * Only files known at build time are served: `deno task build` walks `static/` and lists
 * every servable file (path -> content type, size, hash) in `static/_islands/manifest.json`.
 * A request is answered only when its path is exactly a listed path (decoded once; listed
 * names need no escapes, so each has one spelling); every other path is a 404, so no
 * spelling of `..`, `%2e`, `%252e`, `\`, `%c0%ae`, NUL or an encoded `?`/`#` can reach a file
 * outside `static/`. A file added to `static/` is not served until the build runs again
 * (`deno task dev` rebuilds on every change; `deno task start` builds first). The build
 * leaves out, and names, hidden files, symbolic links, names with characters other than
 * letters, digits, `.`, `_` and `-`, and types outside `STATIC_TYPES` (static_files.ts).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { compress } from "hono/compress";
import type { Context } from "hono";
import type { ComponentType } from "preact";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { PayloadTooLargeError, ServiceUnavailableError } from "../errors.ts";
import type { AppEnv } from "../http/context.ts";
import { refuseCrossSiteWrites } from "../http/middleware.ts";
import { buildCsp } from "./csp.ts";
import { registerIsland } from "./islands.ts";
import { renderPage } from "./render.ts";
import { islandName, routePattern, sortPatterns } from "./routing.ts";
import { serveStatic } from "./static.ts";
import type {
  AppProps,
  Handler,
  Manifest,
  PageProps,
  PageState,
  RenderInit,
  RouteConfig,
  RouteContext,
  RouteModule,
} from "./types.ts";
import type { User } from "../auth/identity.ts";

export type * from "./types.ts";
export { asset } from "./assets.ts";
export { BASE_CSP, buildCsp, type CspDirectives } from "./csp.ts";
export { Head } from "./head.ts";

/** Largest form body a page accepts. */
export const MAX_FORM_BYTES = 64 * 1024;

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * Builds the Hono sub-app serving every route in `manifest`, then `static/`. Mount it at `/`
 * after the other areas (its static-file fallback answers any GET for an existing file).
 */
export function createPages(manifest: Manifest): Hono<AppEnv> {
  for (const [path, module] of Object.entries(manifest.islands)) {
    registerIsland(islandName(path.replace(/^\.\/islands\//, "")), module.default);
  }
  const appShell: ComponentType<AppProps> | undefined = manifest.routes["./routes/_app.tsx"]
    ?.default;

  const byPattern = new Map<string, RouteModule>();
  for (const [path, module] of Object.entries(manifest.routes)) {
    const pattern = routePattern(path.replace(/^\.\/routes\//, ""));
    if (pattern === null) continue;
    if (byPattern.has(pattern)) throw new Error(`Two route files map to ${pattern}.`);
    byPattern.set(pattern, module);
  }

  const pages = new Hono<AppEnv>();
  // Per route, not `pages.use()`: the sub-app is mounted at `/`, where `use` would also run
  // for paths other areas own.
  const compressPages = compress();
  const guards = [
    refuseCrossSiteWrites(),
    bodyLimit({
      maxSize: MAX_FORM_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(MAX_FORM_BYTES);
      },
    }),
  ];
  for (const pattern of sortPatterns([...byPattern.keys()])) {
    const module = byPattern.get(pattern)!;
    pages.use(pattern, ...guards);
    // Pages are compressed too, except under /oauth/: the consent page holds a CSRF token
    // next to text a client chose (its name), which is what BREACH-style guessing needs.
    if (!pattern.startsWith("/oauth/")) pages.use(pattern, compressPages);
    const allowed = METHODS.filter((m) => module.handler?.[m] || (m === "GET" && module.default));
    for (const method of allowed) {
      const handler: Handler<unknown> = module.handler?.[method] ?? ((ctx) => ctx.render());
      pages.on(method, pattern, async (c) => {
        const ctx = await routeContext(c, module, appShell);
        return await handler(ctx);
      });
    }
    pages.all(pattern, (c) => {
      c.header("Allow", [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : [])].join(", "));
      return c.text("Method not allowed.", 405);
    });
  }
  // Static files are public, so compressing them leaks nothing.
  pages.get("*", compress(), serveStatic());
  return pages;
}

/** The signed-in user as the route's `config.user` asks for it (see `RouteConfig`). */
async function sessionUser(
  c: Context<AppEnv>,
  mode: NonNullable<RouteConfig["user"]>,
): Promise<User | null> {
  if (mode === "skip") return null;
  try {
    return await c.get("deps").identity.getSessionUser(c.req.raw);
  } catch (error) {
    if (mode === "lenient" && error instanceof ServiceUnavailableError) return null;
    throw error;
  }
}

async function routeContext(
  c: Context<AppEnv>,
  module: RouteModule,
  appShell: ComponentType<AppProps> | undefined,
): Promise<RouteContext<unknown>> {
  const deps = c.get("deps");
  const state: PageState = {
    deps,
    origin: c.get("origin"),
    user: await sessionUser(c, module.config?.user ?? "strict"),
    requestId: c.get("requestId"),
  };
  if (state.user) c.set("user", state.user);
  const url = new URL(c.req.url);
  const params = c.req.param() as Record<string, string>;
  return {
    req: c.req.raw,
    url,
    params,
    state,
    hono: c,
    render(data?: unknown, init: RenderInit = {}) {
      const page = module.default;
      if (!page) throw new Error(`Route ${url.pathname} has no default-exported page component.`);
      const props: PageProps<unknown> = { data, url, params, state };
      const html = renderPage(appShell, page, props);
      // Headers go through Hono's context so cookies set with hono/cookie are kept.
      const extra = new Headers(init.headers);
      for (const [name, value] of extra) c.header(name, value, { append: true });
      c.header("Content-Type", "text/html; charset=utf-8");
      c.header("Content-Security-Policy", buildCsp(init.csp));
      if (!extra.has("Cache-Control")) c.header("Cache-Control", "private, no-cache");
      return c.body(html, (init.status ?? 200) as ContentfulStatusCode);
    },
    redirect(location, status = 303) {
      return c.redirect(location, status);
    },
  };
}
