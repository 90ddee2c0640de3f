import { cors } from "hono/cors";

/**
 * CORS for public OAuth documents and endpoints (metadata, registration, token, JWKS): any
 * origin, no cookies. Browser-based MCP clients such as MCP Inspector call them with fetch;
 * they carry no ambient credentials, so opening them to every origin exposes nothing.
 */
export function publicCors() {
  return cors({
    origin: "*",
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["Content-Type", "Authorization", "MCP-Protocol-Version"],
    maxAge: 86400,
  });
}
