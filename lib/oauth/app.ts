/**
 * The built-in authorization server's JSON endpoints, mounted at `/oauth` in local mode:
 * registration, token, JWKS. The consent page (`/oauth/authorize`) is a page route.
 * Cross-origin calls are allowed (browser-based MCP clients); none of these use cookies.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { publicCors } from "../http/public_cors.ts";
import type { AppEnv } from "../http/context.ts";
import { rateLimit } from "../http/rate_limit.ts";
import { handleOAuthError, OAuthError } from "./errors.ts";
import { publicJwks } from "./key_rotation.ts";
import { registerClient } from "./registration.ts";
import { supportedScopes } from "./scopes.ts";
import { handleTokenRequest } from "./token_endpoint.ts";

const MAX_OAUTH_BODY_BYTES = 16 * 1024;

/** Builds the `/oauth` sub-app (JSON endpoints only; errors as RFC 6749 bodies). */
export function createOAuthApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(handleOAuthError);
  const limit = bodyLimit({
    maxSize: MAX_OAUTH_BODY_BYTES,
    onError: () => {
      throw new OAuthError(
        "invalid_request",
        `Request body exceeds ${MAX_OAUTH_BODY_BYTES} bytes.`,
        413,
      );
    },
  });
  const open = publicCors();

  app.use("/register", open);
  app.use("/token", open);
  app.use("/jwks.json", open);

  // Counted before the body is read, so refusing a flood costs no parsing.
  app.post("/register", rateLimit("registration"), limit, async (c) => {
    if (!/^application\/json\s*(;|$)/i.test(c.req.header("Content-Type") ?? "")) {
      throw new OAuthError(
        "invalid_client_metadata",
        "Send the client metadata as application/json.",
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw new OAuthError("invalid_client_metadata", "The request body is not valid JSON.");
    }
    const response = await registerClient(
      c.var.deps.kv,
      body,
      supportedScopes(),
      c.var.deps.config.rateLimits.maxRegistrationsPerDay,
    );
    return c.json(response, 201, { "Cache-Control": "no-store", Pragma: "no-cache" });
  });

  app.post("/token", limit, (c) => handleTokenRequest(c));

  app.get("/jwks.json", async (c) => {
    return c.json(await publicJwks(c.var.deps.kv), 200, { "Cache-Control": "public, max-age=300" });
  });

  return app;
}
