/**
 * Deno KV storage of consents: what a user approved for a client, remembered so they are
 * asked only once, and forgotten (with every grant it led to) on revocation.
 *
 * ```
 * ["oauth_consents", userId, clientId] -> StoredConsent
 * ```
 */
import { RETRY, retryOnConflict } from "../../kv/retry.ts";
import { grantKeys, revokeGrant, type StoredGrant } from "./grants.ts";

/** What a user approved for a client; remembered so they are asked only once. */
export interface StoredConsent {
  userId: string;
  clientId: string;
  clientName: string;
  redirectHost: string;
  scopes: string[];
  approvedAt: number;
}

/** Typed key builders for consents. */
export const consentKeys = {
  consent: (userId: string, clientId: string): Deno.KvKey => ["oauth_consents", userId, clientId],
  consentsOf: (userId: string): Deno.KvKey => ["oauth_consents", userId],
};

/** The user's remembered consent for a client, or `null`. */
export async function getConsent(
  kv: Deno.Kv,
  userId: string,
  clientId: string,
): Promise<StoredConsent | null> {
  return (await kv.get<StoredConsent>(consentKeys.consent(userId, clientId))).value;
}

/** Records a consent, adding its scopes to any the user approved for the client before. */
export function saveConsent(kv: Deno.Kv, consent: StoredConsent): Promise<StoredConsent> {
  const key = consentKeys.consent(consent.userId, consent.clientId);
  return retryOnConflict("a consent", async () => {
    const entry = await kv.get<StoredConsent>(key);
    const scopes = [...new Set([...(entry.value?.scopes ?? []), ...consent.scopes])].sort();
    const merged = { ...consent, scopes };
    return (await kv.atomic().check(entry).set(key, merged).commit()).ok ? merged : RETRY;
  });
}

/** The user's consents, oldest client id first. */
export async function listConsents(kv: Deno.Kv, userId: string): Promise<StoredConsent[]> {
  const consents: StoredConsent[] = [];
  for await (const entry of kv.list<StoredConsent>({ prefix: consentKeys.consentsOf(userId) })) {
    consents.push(entry.value);
  }
  return consents;
}

/**
 * Forgets the user's consent for a client and revokes every grant it led to (their refresh
 * tokens stop working, and so do access tokens, which are checked against their grant).
 * Returns whether there was a consent.
 */
export async function revokeConsent(
  kv: Deno.Kv,
  userId: string,
  clientId: string,
): Promise<boolean> {
  const consent = await kv.get(consentKeys.consent(userId, clientId));
  // Consent first: a code redemption racing with this checks the consent and then fails.
  await kv.delete(consentKeys.consent(userId, clientId));
  const grants = kv.list<StoredGrant>({ prefix: grantKeys.grantsOf(userId, clientId) });
  for await (const entry of grants) {
    await revokeGrant(kv, userId, clientId, entry.value.grantId);
  }
  return consent.value !== null;
}
