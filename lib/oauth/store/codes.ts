/**
 * Deno KV storage of authorization codes, under the SHA-256 of each code, and their one
 * redemption for a grant.
 *
 * ```
 * ["oauth_codes", codeHash] -> StoredCode (kept until expiry to spot replays)
 * ```
 */
import { RETRY, retryOnConflict } from "../../kv/retry.ts";
import { consentKeys } from "./consents.ts";
import { backstopExpireIn, expireIn } from "../../kv/expiry.ts";
import { grantKeys, type IssuedChain, revokeGrant } from "./grants.ts";

/** An authorization code, bound to everything the token request must repeat. */
export interface StoredCode {
  userId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  resource: string;
  scopes: string[];
  expiresAt: number;
  /** The grant the code was redeemed for; set once, so a second redemption is a replay. */
  redeemedGrantId: string | null;
}

/** Typed key builder for an authorization code, by its hash. */
export const codeKey = (codeHash: string): Deno.KvKey => ["oauth_codes", codeHash];

/** Stores a fresh authorization code under its hash until it expires. */
export async function saveCode(
  kv: Deno.Kv,
  codeHash: string,
  code: StoredCode,
  now: number,
): Promise<void> {
  await kv.set(codeKey(codeHash), code, { expireIn: expireIn(code.expiresAt, now) });
}

/** What redeeming a code did. */
export type RedeemOutcome =
  | { kind: "issued"; code: StoredCode; chain: IssuedChain }
  | { kind: "unknown" | "expired" | "no_consent" }
  | { kind: "replayed"; code: StoredCode };

/**
 * Redeems a code once, atomically: `check` (which throws to refuse, changing nothing) sees
 * the live code, then `issue` builds the grant stored with it. A code that was redeemed
 * before is a replay: the grant it issued is revoked (RFC 6749 §4.1.2).
 */
export function redeemCode(
  kv: Deno.Kv,
  codeHash: string,
  now: number,
  check: (code: StoredCode) => void,
  issue: (code: StoredCode) => IssuedChain,
): Promise<RedeemOutcome> {
  return retryOnConflict(
    "an authorization code",
    async (): Promise<RedeemOutcome | typeof RETRY> => {
      const entry = await kv.get<StoredCode>(codeKey(codeHash));
      const code = entry.value;
      if (!code) return { kind: "unknown" };
      if (code.redeemedGrantId) {
        await revokeGrant(kv, code.userId, code.clientId, code.redeemedGrantId);
        return { kind: "replayed", code };
      }
      if (code.expiresAt <= now) return { kind: "expired" };
      check(code);
      const consent = await kv.get(consentKeys.consent(code.userId, code.clientId));
      if (!consent.value) return { kind: "no_consent" };
      const chain = issue(code);
      const grantKey = grantKeys.grant(
        chain.grant.userId,
        chain.grant.clientId,
        chain.grant.grantId,
      );
      const result = await kv.atomic()
        .check(entry, consent)
        .check({ key: grantKey, versionstamp: null })
        .set(entry.key, { ...code, redeemedGrantId: chain.grant.grantId }, {
          expireIn: expireIn(code.expiresAt, now),
        })
        .set(grantKey, chain.grant, { expireIn: backstopExpireIn(chain.grant.expiresAt, now) })
        .set(grantKeys.refresh(chain.refreshHash), chain.refresh, {
          expireIn: backstopExpireIn(chain.refresh.expiresAt, now),
        })
        .commit();
      return result.ok ? { kind: "issued", code, chain } : RETRY;
    },
  );
}
