/**
 * Deno KV storage of grants (one authorization's chain of refresh tokens; access tokens name
 * their grant and die with it) and of the refresh tokens, under the SHA-256 of each token.
 * Rotation is in lib/oauth/store/refresh_tokens.ts.
 *
 * ```
 * ["oauth_grants", userId, clientId, grantId]  -> StoredGrant (one code's chain of tokens)
 * ["oauth_refresh", tokenHash]                 -> StoredRefreshToken
 * ```
 */
import { commitNoted } from "../../kv/local_changes.ts";
import { RETRY, retryOnConflict } from "../../kv/retry.ts";

/** One authorization's chain of refresh tokens; access tokens name it and die with it. */
export interface StoredGrant {
  grantId: string;
  userId: string;
  clientId: string;
  scopes: string[];
  resource: string;
  /** Hash of the one refresh token of this chain that is still usable. */
  refreshHash: string;
  createdAt: number;
  expiresAt: number;
}

/** A refresh token; rotated ones are kept (marked) until they expire, to detect reuse. */
export interface StoredRefreshToken {
  grantId: string;
  userId: string;
  clientId: string;
  expiresAt: number;
  rotatedAt: number | null;
  /** Set on rotation: the hash of the token that replaced this one. */
  successorHash?: string;
  /** Set on rotation: that token, sealed under this one (lib/oauth/successor.ts). */
  sealedSuccessor?: string;
}

/** A new grant (or a grant moved on) and its first (or next) refresh token. */
export interface IssuedChain {
  grant: StoredGrant;
  refreshHash: string;
  refresh: StoredRefreshToken;
}

/** Typed key builders for grants and refresh tokens. */
export const grantKeys = {
  grant: (userId: string, clientId: string, grantId: string): Deno.KvKey => [
    "oauth_grants",
    userId,
    clientId,
    grantId,
  ],
  grantsOf: (userId: string, clientId: string): Deno.KvKey => ["oauth_grants", userId, clientId],
  refresh: (tokenHash: string): Deno.KvKey => ["oauth_refresh", tokenHash],
};

/** A grant, or `null` once it is revoked or expired. */
export async function getGrant(
  kv: Deno.Kv,
  userId: string,
  clientId: string,
  grantId: string,
  now: number,
): Promise<StoredGrant | null> {
  return liveGrant(
    (await kv.get<StoredGrant>(grantKeys.grant(userId, clientId, grantId))).value,
    now,
  );
}

/**
 * {@linkcode getGrant}, and the entries of `along` read in the same `getMany` (one snapshot,
 * one round trip): a caller's other reads for the same request ride on the grant's.
 */
export async function getGrantAlong(
  kv: Deno.Kv,
  userId: string,
  clientId: string,
  grantId: string,
  now: number,
  along: Deno.KvKey[],
): Promise<{ grant: StoredGrant | null; along: Deno.KvEntryMaybe<unknown>[] }> {
  const [entry, ...rest] = await kv.getMany([grantKeys.grant(userId, clientId, grantId), ...along]);
  return { grant: liveGrant(entry.value as StoredGrant | null, now), along: rest };
}

/** `grant` while it stands at `now`: not revoked (read) and not expired. */
export const liveGrant = (grant: StoredGrant | null, now: number): StoredGrant | null =>
  grant && grant.expiresAt > now ? grant : null;

/** Deletes a grant and its live refresh token (the chain); unknown grants are ignored. */
export function revokeGrant(
  kv: Deno.Kv,
  userId: string,
  clientId: string,
  grantId: string,
): Promise<void> {
  const key = grantKeys.grant(userId, clientId, grantId);
  return retryOnConflict("a grant", async () => {
    const entry = await kv.get<StoredGrant>(key);
    if (!entry.value) return;
    const op = kv.atomic().check(entry).delete(key)
      .delete(grantKeys.refresh(entry.value.refreshHash));
    return (await commitNoted(kv, userId, op)).ok ? undefined : RETRY;
  });
}
