/**
 * The per-request identity the MCP handlers act for. The bearer gate (lib/mcp/bearer.ts)
 * verifies the token; its grant reaches the SDK as `authInfo` (pass-through: the SDK never
 * reads the Authorization header), and handlers read the user from there.
 */
import type { AccessGrant } from "../auth/identity.ts";
import type { ServerContext } from "./sdk.ts";
import type { Needs } from "./needs.ts";

/**
 * The SDK's `AuthInfo` for a verified grant, with what the request's server needs (read by the
 * server factory, lib/mcp/needs.ts). The token itself stays with the gate.
 */
export function authInfoFor(
  grant: AccessGrant,
  listMarker?: Deno.KvEntryMaybe<unknown>,
  needs?: Needs,
) {
  return {
    token: "",
    clientId: grant.clientId ?? "",
    scopes: grant.scopes,
    extra: { userId: grant.userId, listMarker: listMarker && { entry: listMarker }, needs },
  };
}

/**
 * The user's list marker read with the grant (lib/mcp/bearer.ts), for the first list read of
 * the request only: a later read in the same request (after a write) reads it again.
 */
export function takeListMarker(ctx: ServerContext): Deno.KvEntryMaybe<unknown> | undefined {
  const held = ctx.http?.authInfo?.extra?.listMarker as
    | { entry?: Deno.KvEntryMaybe<unknown> }
    | undefined;
  const entry = held?.entry;
  if (held) held.entry = undefined;
  return entry;
}

/** The verified token's `sub` for a handler's request; throws when the gate did not run. */
export function userIdOf(ctx: ServerContext): string {
  const userId = ctx.http?.authInfo?.extra?.userId;
  if (typeof userId !== "string" || userId === "") {
    throw new Error("MCP request without a verified user (the bearer gate must run first).");
  }
  return userId;
}
