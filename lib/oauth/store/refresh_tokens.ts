/**
 * Refresh token rotation (OAuth 2.1 §4.3.1) over the grants and refresh tokens of
 * lib/oauth/store/grants.ts: each token works once, a concurrent refresh within a short grace
 * window gets the same successor, and any other reuse revokes the whole chain.
 */
import { RETRY, retryOnConflict } from "../../kv/retry.ts";
import { backstopExpireIn } from "../../kv/expiry.ts";
import {
  grantKeys,
  type IssuedChain,
  revokeGrant,
  type StoredGrant,
  type StoredRefreshToken,
} from "./grants.ts";

/** What presenting a refresh token did. */
export type RotateOutcome =
  | { kind: "rotated"; previous: StoredGrant; chain: IssuedChain }
  | { kind: "grace"; grant: StoredGrant; sealedSuccessor: string }
  | { kind: "unknown" | "expired" | "revoked" }
  | { kind: "reused"; refresh: StoredRefreshToken };

/** How a rotated refresh token may be presented again (see {@linkcode rotateRefreshToken}). */
export interface ReuseRules {
  /** How long after its rotation a token may be presented again; 0 allows no reuse. */
  graceMs: number;
  /** The next token sealed under the presented one, stored with it if this call rotates. */
  sealedSuccessor: string;
}

/**
 * Rotates a refresh token atomically: the old one is marked used (keeping its successor's
 * hash and the successor sealed under the old token) and the grant moves on to the next.
 * `check` (which throws to refuse, changing nothing) sees the live grant.
 *
 * A rotated token presented again within `reuse.graceMs` while its successor is still the
 * grant's live token (the chain has not moved on) is a concurrent refresh: the outcome is
 * `grace` with the sealed successor, and nothing is written. Any other reuse revokes the
 * whole chain (OAuth 2.1 §4.3.1).
 */
export function rotateRefreshToken(
  kv: Deno.Kv,
  tokenHash: string,
  now: number,
  check: (grant: StoredGrant, refresh: StoredRefreshToken) => void,
  next: (grant: StoredGrant) => IssuedChain,
  reuse: ReuseRules,
): Promise<RotateOutcome> {
  return retryOnConflict("a refresh token", async (): Promise<RotateOutcome | typeof RETRY> => {
    const entry = await kv.get<StoredRefreshToken>(grantKeys.refresh(tokenHash));
    const refresh = entry.value;
    if (!refresh) return { kind: "unknown" };
    const grantEntry = await kv.get<StoredGrant>(
      grantKeys.grant(refresh.userId, refresh.clientId, refresh.grantId),
    );
    const grant = grantEntry.value;
    if (refresh.rotatedAt !== null) {
      const inGrace = now - refresh.rotatedAt < reuse.graceMs && !!refresh.sealedSuccessor &&
        !!grant && grant.expiresAt > now && grant.refreshHash === refresh.successorHash;
      if (!inGrace) {
        await revokeGrant(kv, refresh.userId, refresh.clientId, refresh.grantId);
        return { kind: "reused", refresh };
      }
      check(grant, refresh);
      // Both reads still hold (the chain did not move on between them): a check-only commit.
      if (!(await kv.atomic().check(entry, grantEntry).commit()).ok) return RETRY;
      return { kind: "grace", grant, sealedSuccessor: refresh.sealedSuccessor! };
    }
    if (refresh.expiresAt <= now) return { kind: "expired" };
    if (!grant || grant.expiresAt <= now || grant.refreshHash !== tokenHash) {
      // The grant may have moved on after the token was read (a concurrent rotation): read again.
      if (!(await kv.atomic().check(entry).commit()).ok) return RETRY;
      return { kind: "revoked" };
    }
    check(grant, refresh);
    const chain = next(grant);
    const rotated: StoredRefreshToken = {
      ...refresh,
      rotatedAt: now,
      successorHash: chain.refreshHash,
      sealedSuccessor: reuse.sealedSuccessor,
    };
    const result = await kv.atomic()
      .check(entry, grantEntry)
      .set(entry.key, rotated, { expireIn: backstopExpireIn(refresh.expiresAt, now) })
      .set(grantEntry.key, chain.grant, { expireIn: backstopExpireIn(chain.grant.expiresAt, now) })
      .set(grantKeys.refresh(chain.refreshHash), chain.refresh, {
        expireIn: backstopExpireIn(chain.refresh.expiresAt, now),
      })
      .commit();
    return result.ok ? { kind: "rotated", previous: grant, chain } : RETRY;
  });
}
