/**
 * The per-request identity the MCP handlers act for. The bearer gate (lib/mcp/bearer.ts)
 * verifies the token; its grant reaches the SDK as `authInfo` (pass-through: the SDK never
 * reads the Authorization header), and handlers read the user from there.
 */
import type { AccessGrant } from "../auth/identity.ts";
import type { ServerContext } from "./sdk.ts";

/** The SDK's `AuthInfo` for a verified grant. The token itself stays with the gate. */
export function authInfoFor(grant: AccessGrant) {
  return {
    token: "",
    clientId: grant.clientId ?? "",
    scopes: grant.scopes,
    extra: { userId: grant.userId },
  };
}

/** The verified token's `sub` for a handler's request; throws when the gate did not run. */
export function userIdOf(ctx: ServerContext): string {
  const userId = ctx.http?.authInfo?.extra?.userId;
  if (typeof userId !== "string" || userId === "") {
    throw new Error("MCP request without a verified user (the bearer gate must run first).");
  }
  return userId;
}
