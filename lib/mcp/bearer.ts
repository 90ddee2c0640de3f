/**
 * Bearer-token authentication for the MCP endpoint, an OAuth resource server. Tokens are
 * read from the `Authorization` header only (RFC 6750 §2.1), verified by the identity
 * provider for the canonical resource URL, and never logged or passed on.
 */
import type { Context } from "hono";
import {
  BearerRequestError,
  InsufficientScopeError,
  InvalidTokenError,
  UnauthorizedError,
} from "../errors.ts";
import type { AppEnv, BearerChallenge } from "../http/context.ts";
import type { AccessGrant, ReadAlong } from "../auth/identity.ts";
import { TODO_SCOPES } from "../auth/todo_scopes.ts";
import { protectedResourceMetadataUrl, resourceUrl } from "../http/protected_resource.ts";

/** Longest token accepted; anything longer is refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;

const NOTHING_READ: readonly Deno.KvEntryMaybe<unknown>[] = Object.freeze([]);

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Requires a valid access token for the canonical `/mcp` resource and sets `grant`, or throws.
 * Also sets `bearerChallenge`, so that the error mapper adds `WWW-Authenticate` to 401/403
 * answers, and `readWithGrant`: the entries of the keys `readAlong` names for the request, read
 * with the grant where the provider reads it from KV.
 */
export async function requireBearer(
  c: Context<AppEnv>,
  readAlong?: (req: Request) => ((userId: string) => Deno.KvKey[]) | null,
): Promise<void> {
  const { identity } = c.get("deps");
  c.set("bearerChallenge", challengeFor(c.get("origin")));
  const url = c.req.url;
  if (url.includes("access_token") && new URL(url).searchParams.has("access_token")) {
    // RFC 6750 §2.3 is not supported: URLs end up in logs and browser history.
    throw new BearerRequestError(
      "Send the access token in the Authorization header, never in the URL.",
    );
  }
  const header = c.req.header("Authorization");
  if (!header || !/^Bearer(\s|$)/i.test(header)) {
    throw new UnauthorizedError(
      "This endpoint needs an OAuth access token: Authorization: Bearer <token>.",
    );
  }
  const token = BEARER.exec(header)?.[1];
  if (!token || token.length > MAX_TOKEN_LENGTH) {
    throw new InvalidTokenError("The bearer token is malformed.");
  }
  const keys = readAlong?.(c.req.raw);
  const along: ReadAlong | undefined = keys ? { keys } : undefined;
  c.set("grant", await identity.verifyAccessToken(token, resourceUrl(c.get("origin")), along));
  c.set("readWithGrant", along?.entries ?? NOTHING_READ);
}

const SCOPE = TODO_SCOPES.join(" ");
let last: { origin: string; challenge: BearerChallenge } | undefined;

/** The challenge for the app at `origin` (one origin in production: the last one is kept). */
function challengeFor(origin: string): BearerChallenge {
  if (last?.origin !== origin) {
    const challenge = { resourceMetadata: protectedResourceMetadataUrl(origin), scope: SCOPE };
    last = { origin, challenge: Object.freeze(challenge) };
  }
  return last.challenge;
}

/**
 * Throws {@linkcode InsufficientScopeError} unless `grant` holds every scope in `needed`;
 * `known` lists this server's scopes (kept in the challenge when the token already has them).
 */
export function requireScopes(
  grant: AccessGrant,
  needed: string[],
  known: readonly string[],
): void {
  const missing = needed.filter((scope) => !grant.scopes.includes(scope));
  if (missing.length === 0) return;
  const held = known.filter((scope) => grant.scopes.includes(scope));
  const challenge = known.filter((scope) => needed.includes(scope) || held.includes(scope));
  throw new InsufficientScopeError(missing, challenge);
}
