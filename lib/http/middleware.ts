import type { Context, MiddlewareHandler } from "hono";
import { compress } from "hono/compress";
import { createMiddleware } from "hono/factory";
import { ForbiddenError, UnauthorizedError } from "../errors.ts";
import type { AppEnv, Deps } from "./context.ts";
import { lookUpSession } from "./session.ts";
import { authorityOf, hostRefusal } from "./host.ts";

/**
 * What every request passes, as one middleware (each Hono layer is a call and a promise more
 * on every request): the Host check first, as nothing may read the request's URL or Host
 * before it; then `deps` and the canonical origin; on the way out, the security headers.
 */
export function everyRequest(deps: Deps): MiddlewareHandler<AppEnv> {
  const refusal = hostRefusal(deps.config);
  const canonical = deps.config.publicUrl?.origin;
  return async (c, next) => {
    const refused = refusal(c.req.header("Host"), c.req.url);
    if (refused) return refused;
    c.set("deps", deps);
    // The Host check passed: the request's authority parses.
    c.set("origin", canonical ?? authorityOf(c.req.url)!.origin);
    await next();
    addSecurityHeaders(c);
  };
}

/**
 * Hono's `compress()` (gzip or deflate for clients that accept it), with `Vary: Accept-Encoding`
 * said before the answer exists: `compress()` would add it after `next()` through
 * `c.header()`, which copies the finished response and turns its body into a stream (nearly
 * half the CPU of an 85 KB page, measured).
 */
export function compressAnswers(): MiddlewareHandler<AppEnv> {
  const gzip = compress();
  return async (c, next) => {
    c.header("Vary", "Accept-Encoding", { append: true });
    await gzip(c, next);
  };
}

/** Conservative headers for every response; pages add their own Content-Security-Policy. */
function addSecurityHeaders(c: Context<AppEnv>): void {
  setResponseHeader(c, "X-Content-Type-Options", "nosniff");
  setResponseHeader(c, "Referrer-Policy", "strict-origin-when-cross-origin");
  if (!c.res.headers.has("X-Frame-Options")) setResponseHeader(c, "X-Frame-Options", "DENY");
  // `req.url` is serialized (its scheme in lower case), so its prefix names the scheme.
  if (c.req.url.startsWith("https:")) {
    setResponseHeader(c, "Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  }
}

/** `Cache-Control: no-store` on every response (per-user data that no cache may keep). */
export function noStore() {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    setResponseHeader(c, "Cache-Control", "no-store");
  });
}

/**
 * Sets a header on the response a handler already made, in place. Hono's `c.header()` after
 * `next()` copies the whole Response for every header, and each copy turns a string body into
 * a stream, which Deno.serve sends more slowly; a response with immutable headers (one passed
 * on from `fetch`) is copied once here.
 */
// deno-lint-ignore no-explicit-any
export function setResponseHeader(c: Context<any>, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses cookie-authenticated writes from other sites (CSRF): an unsafe method whose
 * `Origin` is another origin or `null`, or whose `Sec-Fetch-Site` is `cross-site`, gets 403.
 * Requests with neither header come from non-browser clients, which send no cookies by
 * themselves, so they pass.
 */
export function refuseCrossSiteWrites() {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method)) {
      const origin = c.req.header("Origin");
      const fetchSite = c.req.header("Sec-Fetch-Site");
      const own = [c.get("origin"), new URL(c.req.url).origin];
      if (origin !== undefined && !own.includes(origin)) {
        throw new ForbiddenError("Cross-site request refused.");
      }
      if (fetchSite === "cross-site") throw new ForbiddenError("Cross-site request refused.");
    }
    await next();
  });
}

/**
 * Requires a signed-in browser session; sets `user` and `session` or answers 401. A session the
 * provider renewed on this request goes on, its new cookies on the response.
 */
export function requireUser() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const session = await lookUpSession(c);
    if (!session.user) throw new UnauthorizedError();
    c.set("user", session.user);
    c.set("session", session);
    await next();
  });
}
