/**
 * Browser access to `/mcp`: DNS-rebinding protection (a request whose `Origin` is present and
 * not allowed gets 403) and CORS for allowed origins, exposing the headers MCP clients read.
 */
import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { isLoopbackHost } from "../config.ts";
import { ForbiddenError } from "../errors.ts";
import type { AppEnv } from "../http/context.ts";
import { setResponseHeader } from "../http/middleware.ts";
import { isIpLiteral } from "../http/ip_address.ts";

/**
 * True when a page at `origin` may call `/mcp`: the app's own origin (`PUBLIC_URL`) or one in
 * `MCP_ALLOWED_ORIGINS`. Without `PUBLIC_URL` (local development) the request's Host cannot be
 * trusted, since a rebinding attacker's page shares its origin; so loopback origins (e.g. MCP
 * Inspector on localhost) are allowed, and the request's own origin only for an IP address.
 */
export function isAllowedOrigin(origin: string, c: Context<AppEnv>): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin === "null" || url.origin !== origin) return false;
  const { config } = c.get("deps");
  if (config.mcp.allowedOrigins.includes(origin)) return true;
  if (config.publicUrl) return origin === config.publicUrl.origin;
  if (isLoopbackHost(url.hostname)) return true;
  const own = new URL(c.req.url);
  return origin === own.origin && isIpLiteral(own.hostname);
}

const EXPOSE_HEADERS = ["WWW-Authenticate", "Mcp-Protocol-Version", "Mcp-Session-Id"];

/**
 * CORS for `/mcp`: allowed origins only, no cookies, MCP and auth headers exposed, and
 * `Vary: Origin` on answers a cache may store. Preflights are Hono's `cors()`; other requests
 * get the same headers on the finished answer, in place (`setResponseHeader`): `cors()` adds
 * them through `c.header()`, and a header set before the handler answers makes Hono copy the
 * answer into a new Response to keep it.
 */
export function mcpCors(): MiddlewareHandler<AppEnv> {
  const preflight = corsPreflight();
  const expose = EXPOSE_HEADERS.join(",");
  return async (c, next) => {
    if (c.req.method === "OPTIONS") return await preflight(c, next);
    await next();
    const origin = c.req.header("Origin");
    // A browser reads the exposed headers only of an answer that allows its origin; clients
    // that send no Origin (not browsers) get neither.
    if (origin !== undefined && isAllowedOrigin(origin, c)) {
      setResponseHeader(c, "Access-Control-Allow-Origin", origin);
      setResponseHeader(c, "Access-Control-Expose-Headers", expose);
    }
    // Only caches read Vary, and none may store an answer to POST without explicit freshness
    // and Content-Location (RFC 9110 §9.3.3), which `/mcp` never sends: POST answers skip it.
    if (c.req.method !== "POST") {
      const vary = c.res.headers.get("Vary");
      setResponseHeader(c, "Vary", vary ? `${vary}, Origin` : "Origin");
    }
  };
}

function corsPreflight() {
  return cors({
    origin: (origin, c) => isAllowedOrigin(origin, c as Context<AppEnv>) ? origin : null,
    allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
    allowHeaders: [
      "Authorization",
      "Content-Type",
      "Accept",
      "Last-Event-ID",
      "Mcp-Protocol-Version",
      "Mcp-Session-Id",
      // Sent by 2026-07-28 clients with every request (SEP-2243).
      "Mcp-Method",
      "Mcp-Name",
    ],
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 600,
  });
}

/** Throws 403 for a request whose `Origin` is present and not allowed. */
export function refuseForeignOrigin(c: Context<AppEnv>): void {
  const origin = c.req.header("Origin");
  if (origin !== undefined && !isAllowedOrigin(origin, c)) {
    throw new ForbiddenError(
      `Requests from origin ${JSON.stringify(origin.slice(0, 200))} are not allowed ` +
        "(add it to MCP_ALLOWED_ORIGINS to allow it).",
    );
  }
}
