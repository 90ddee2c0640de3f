/**
 * OAuth discovery for MCP clients: Protected Resource Metadata (RFC 9728) for `/mcp`, the
 * authorization server's metadata (RFC 8414) on the app's own origin for clients on the
 * 2025-03-26 spec, and redirects for clients that skip discovery and guess `/authorize`,
 * `/token` and `/register` on the MCP server's origin.
 */
import { Hono } from "hono";
import { publicCors } from "../http/public_cors.ts";
import { NotFoundError } from "../errors.ts";
import type { AppEnv } from "../http/context.ts";
import { TODO_SCOPES } from "../auth/todo_scopes.ts";
import {
  PROTECTED_RESOURCE_METADATA_PATH as PRM_PATH,
  resourceUrl,
} from "../http/protected_resource.ts";

/**
 * Metadata built from `PUBLIC_URL` is public and changes only with the configuration: cache
 * briefly anywhere. Metadata built from the request's own Host is never kept by a cache.
 */
function metadataCacheControl(c: { var: AppEnv["Variables"] }): string {
  return c.var.deps.config.publicUrl ? "public, max-age=300" : "no-store";
}

/** The RFC 9728 metadata of the `/mcp` resource. */
export function protectedResourceMetadata(c: { var: AppEnv["Variables"] }) {
  const { deps, origin } = c.var;
  return {
    resource: resourceUrl(origin),
    authorization_servers: [deps.identity.authorizationServer(origin)],
    scopes_supported: TODO_SCOPES,
    bearer_methods_supported: ["header"],
    resource_name: "Todo app MCP server",
    resource_documentation: `${origin}/`,
  };
}

/** Endpoints a client may guess on the MCP server's origin, and the metadata field naming each. */
const GUESSED_ENDPOINTS = {
  "/authorize": "authorization_endpoint",
  "/token": "token_endpoint",
  "/register": "registration_endpoint",
} as const;

/** Builds the routes above, to be mounted at `/`. */
export function createMetadataApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const cors = publicCors();
  // Every well-known path, answered or not: a browser-based client probing for a document
  // this server lacks sees a 404 rather than a CORS failure.
  app.use("/.well-known/*", cors);

  for (const path of [PRM_PATH, `${PRM_PATH}/mcp`]) {
    app.get(path, (c) => {
      c.header("Cache-Control", metadataCacheControl(c));
      return c.json(protectedResourceMetadata(c));
    });
  }

  for (
    const path of ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]
  ) {
    app.get(path, async (c) => {
      const metadata = await c.var.deps.identity.authorizationServerMetadata(c.var.origin);
      c.header("Cache-Control", metadataCacheControl(c));
      return c.json(metadata);
    });
  }

  for (const [path, field] of Object.entries(GUESSED_ENDPOINTS)) {
    app.use(path, cors);
    app.all(path, async (c) => {
      const metadata = await c.var.deps.identity.authorizationServerMetadata(c.var.origin);
      const endpoint = metadata[field];
      const target = typeof endpoint === "string" ? new URL(endpoint) : null;
      if (!target || target.href === new URL(path, c.var.origin).href) {
        throw new NotFoundError(`This server has no ${field.replace("_", " ")} at ${path}.`);
      }
      // 307 keeps the method and body (a POST to /token stays a POST); temporary, because
      // the endpoints follow the configuration.
      target.search = new URL(c.req.url).search;
      return c.redirect(target.href, 307);
    });
  }
  return app;
}
