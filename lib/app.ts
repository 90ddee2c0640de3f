/**
 * Composes the root handler: what every request passes (the Host check, request context,
 * security headers), one error mapper, then each area mounted at its path (see ARCHITECTURE.md,
 * "Request flow").
 */
import { Hono } from "hono";
import type { AppEnv, Deps } from "./http/context.ts";
import { everyRequest, noStore } from "./http/middleware.ts";
import { jsonErrorResponse, jsonNotFound } from "./http/errors.ts";
import { createPages } from "./pages/mod.ts";
import { routeLazily } from "./http/lazy_mount.ts";
import { lazyImport } from "./lazy_import.ts";
import { createMcpApp } from "./mcp/http.ts";
import { createMetadataApp } from "./mcp/metadata.ts";
import manifest from "../pages.gen.ts";
import pagesConfig from "../fresh.config.ts";

const apiApp = lazyImport(() => import("./api/app.ts"));
const oauthApp = lazyImport(() => import("./oauth/app.ts"));

/** Builds the app for `deps`; `app.fetch` is the whole server. */
export function createApp(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // First: nothing may read the request's URL or Host before they are known to be sound.
  app.use(everyRequest(deps));
  // Each area maps its own errors (docs/api.md, "Errors"): a sub-app of its own with its own
  // handler, or, mounted here whole (`/mcp`), by naming its mapper in `answerError`; the pages
  // map theirs and paths no area answers (HTML for browsers, routes/_500.tsx and _404.tsx).
  // What escapes all of them gets the plain JSON answer.
  app.onError((error, c) => (c.get("answerError") ?? jsonErrorResponse)(error, c));
  app.notFound(jsonNotFound);

  app.use("/api/*", noStore());
  // Each area below loads its modules (the MCP SDK, the OAuth server) on its first request;
  // `/mcp` is mounted with its gates, and what serves a POST behind them loads on the first.
  routeLazily(app, "/api", async () => (await apiApp()).createApiApp());
  app.route("/", createMcpApp());
  app.route("/", createMetadataApp());
  if (deps.identity.hostsAuthorizationServer) {
    routeLazily(app, "/oauth", async () => (await oauthApp()).createOAuthApp());
  }
  // Pages (routes/, see lib/pages/mod.ts), static/ and every other path: keep last.
  app.route("/", createPages(manifest, pagesConfig));

  return app;
}
