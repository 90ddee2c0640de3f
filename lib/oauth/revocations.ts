/**
 * Undoable revocation of a connected app (the Connected apps page). Revoking moves the consent,
 * every grant and each grant's live refresh token into one record, in one checked atomic
 * operation, so the app's tokens stop working at once (the commit is noted, so an access
 * token's kept grant read is not trusted again: lib/oauth/tokens.ts). Undo, within
 * {@linkcode UNDO_REVOCATION_MS}, moves them back unchanged, so the app's existing tokens work
 * again without asking the person to approve it anew.
 *
 * ```
 * ["oauth_revocations", userId, tokenHash]  -> StoredRevocation (10 min; the token is the Undo's)
 * ```
 *
 * Rotated refresh tokens are not moved: they stay where they are until they expire, so reuse
 * detection keeps working across a revoke and undo; a reuse detected while the app is revoked
 * takes its grant out of the record ({@linkcode forgetRevokedGrant}), so Undo leaves it revoked.
 */
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { backstopExpireIn } from "../kv/expiry.ts";
import { commitNoted } from "../kv/local_changes.ts";
import { RETRY, retryOnConflict } from "../kv/retry.ts";
import { hashSecret, isSecretShaped, newSecret } from "./secrets.ts";
import { consentKeys, revokeConsent, type StoredConsent } from "./store/consents.ts";
import { grantKeys, type StoredGrant, type StoredRefreshToken } from "./store/grants.ts";

/** How long a revocation can be undone (the page offers Undo for a few seconds of it). */
export const UNDO_REVOCATION_MS = 10 * 60_000;

/**
 * Most grants one undoable revocation moves. Its atomic operation checks the consent, the
 * record's key and each grant (KV allows 100 checks); undo checks each grant's and refresh
 * token's key. Past this the app is revoked without an Undo.
 */
export const MAX_UNDOABLE_GRANTS = 40;

/** Largest serialised record kept (KV values are at most 64 KiB). */
export const MAX_REVOCATION_BYTES = 60_000;

/** A grant as it was when revoked, with its live refresh token (if it had not expired). */
export interface RevokedGrant {
  grant: StoredGrant;
  refresh: StoredRefreshToken | null;
}

/** Everything one revocation took away, kept so that Undo can put it back. */
export interface StoredRevocation {
  userId: string;
  clientId: string;
  consent: StoredConsent;
  grants: RevokedGrant[];
  revokedAt: number;
  expiresAt: number;
}

/** Typed key builders for revocation records. */
export const revocationKeys = {
  revocationsOf: (userId: string): Deno.KvKey => ["oauth_revocations", userId],
  revocation: (userId: string, tokenHash: string): Deno.KvKey => [
    "oauth_revocations",
    userId,
    tokenHash,
  ],
};

/** What a revocation did: nothing (no such app), or revoked, with an Undo token when it fits. */
export type RevocationOutcome =
  | { kind: "not_connected" }
  | { kind: "revoked"; clientName: string; undoToken: string | null };

/**
 * Revokes the user's consent for a client and every grant it led to, at once, keeping them for
 * {@linkcode UNDO_REVOCATION_MS} under a fresh Undo token. A client with more grants than one
 * atomic operation can move is revoked without an Undo (`undoToken: null`).
 */
export function revokeConsentUndoably(
  kv: Deno.Kv,
  userId: string,
  clientId: string,
  now: number,
): Promise<RevocationOutcome> {
  return retryOnConflict("a connected app", async (): Promise<RevocationOutcome | typeof RETRY> => {
    const consentEntry = await kv.get<StoredConsent>(consentKeys.consent(userId, clientId));
    const consent = consentEntry.value;
    if (!consent) return { kind: "not_connected" };
    const grantEntries: Deno.KvEntry<StoredGrant>[] = [];
    for await (
      const entry of kv.list<StoredGrant>({ prefix: grantKeys.grantsOf(userId, clientId) })
    ) {
      grantEntries.push(entry);
      if (grantEntries.length > MAX_UNDOABLE_GRANTS) break;
    }
    if (grantEntries.length > MAX_UNDOABLE_GRANTS) return await revokeForGood(kv, consent);
    const refreshes = await readRefreshTokens(kv, grantEntries.map((e) => e.value));
    const record: StoredRevocation = {
      userId,
      clientId,
      consent,
      grants: grantEntries.map((entry, i) => ({ grant: entry.value, refresh: refreshes[i] })),
      revokedAt: now,
      expiresAt: now + UNDO_REVOCATION_MS,
    };
    if (new TextEncoder().encode(JSON.stringify(record)).length > MAX_REVOCATION_BYTES) {
      return await revokeForGood(kv, consent);
    }
    const token = newSecret();
    const recordKey = revocationKeys.revocation(userId, await hashSecret(token));
    // Checking each grant also covers its refresh token: rotation and revocation change both.
    const operation = kv.atomic()
      .check(consentEntry, ...grantEntries)
      .check({ key: recordKey, versionstamp: null })
      .set(recordKey, record, { expireIn: UNDO_REVOCATION_MS })
      .delete(consentEntry.key);
    for (const { grant } of record.grants) {
      operation.delete(grantKeys.grant(userId, clientId, grant.grantId))
        .delete(grantKeys.refresh(grant.refreshHash));
    }
    if (!(await commitNoted(kv, userId, operation)).ok) return RETRY;
    // A code redeemed between the reads and the commit made a grant this record does not hold;
    // with the consent gone no new one can appear, so revoke any such grant for good.
    await revokeConsent(kv, userId, clientId);
    return { kind: "revoked", clientName: consent.clientName, undoToken: token };
  });
}

/**
 * Takes the grant `refresh` belongs to out of every revocation record of its user and client,
 * so that an Undo does not restore a chain whose refresh token was reused while it was revoked.
 * Checked against each record: an Undo that commits first restores the grant, and the reuse
 * detection has revoked it in the live store already.
 */
export async function forgetRevokedGrant(
  kv: Deno.Kv,
  refresh: Pick<StoredRefreshToken, "userId" | "clientId" | "grantId">,
  now: number,
): Promise<void> {
  const { userId, clientId, grantId } = refresh;
  for await (
    const listed of kv.list<StoredRevocation>({ prefix: revocationKeys.revocationsOf(userId) })
  ) {
    await retryOnConflict("a revoked app", async () => {
      const entry = await kv.get<StoredRevocation>(listed.key);
      const record = entry.value;
      if (!record || record.clientId !== clientId || record.expiresAt <= now) return;
      const grants = record.grants.filter(({ grant }) => grant.grantId !== grantId);
      if (grants.length === record.grants.length) return;
      const result = await kv.atomic().check(entry)
        .set(entry.key, { ...record, grants }, { expireIn: Math.max(1, record.expiresAt - now) })
        .commit();
      return result.ok ? undefined : RETRY;
    });
  }
}

/** The revocation `token` names if it is the user's and can still be undone, else `null`. */
export async function getRevocation(
  kv: Deno.Kv,
  userId: string,
  token: unknown,
  now: number,
): Promise<StoredRevocation | null> {
  if (!isSecretShaped(token)) return null;
  const record = (await kv.get<StoredRevocation>(
    revocationKeys.revocation(userId, await hashSecret(token)),
  )).value;
  return record && record.expiresAt > now ? record : null;
}

/**
 * Undoes the revocation `token` names (the user's, within {@linkcode UNDO_REVOCATION_MS}),
 * once: the consent, grants and refresh tokens come back as they were, minus any that expired
 * meanwhile. Refuses, changing nothing, a malformed token (400), one that is unknown, someone
 * else's, used or expired (404), and an app approved again since (409: its new connection stays).
 */
export async function undoRevocation(
  kv: Deno.Kv,
  userId: string,
  token: unknown,
  now: number,
): Promise<StoredConsent> {
  if (!isSecretShaped(token)) throw new ValidationError("That Undo link is not valid.");
  const recordKey = revocationKeys.revocation(userId, await hashSecret(token));
  return await retryOnConflict("a revoked app", async () => {
    const entry = await kv.get<StoredRevocation>(recordKey);
    const record = entry.value;
    if (!record || record.expiresAt <= now) {
      throw new NotFoundError(
        "There is nothing to undo: that revocation is too old or was undone.",
      );
    }
    const { clientId, consent } = record;
    const consentKey = consentKeys.consent(userId, clientId);
    if ((await kv.get(consentKey)).value !== null) {
      // The consent may be this record's, restored by an Undo after the record was read.
      if (!(await kv.atomic().check(entry).commit()).ok) return RETRY;
      throw new ConflictError(
        "approved_again",
        `You approved ${consent.clientName || "this app"} again after revoking it; ` +
          "its new connection stays as it is.",
      );
    }
    const live = record.grants.filter(({ grant }) => grant.expiresAt > now);
    const operation = kv.atomic()
      .check(entry, { key: consentKey, versionstamp: null })
      .delete(recordKey)
      .set(consentKey, consent);
    for (const { grant, refresh } of live) {
      const grantKey = grantKeys.grant(userId, clientId, grant.grantId);
      operation.check({ key: grantKey, versionstamp: null })
        .set(grantKey, grant, { expireIn: backstopExpireIn(grant.expiresAt, now) });
      if (refresh && refresh.expiresAt > now) {
        const refreshKey = grantKeys.refresh(grant.refreshHash);
        operation.check({ key: refreshKey, versionstamp: null })
          .set(refreshKey, refresh, { expireIn: backstopExpireIn(refresh.expiresAt, now) });
      }
    }
    // A lost race (the record used, the app approved again) shows on the next read.
    return (await operation.commit()).ok ? consent : RETRY;
  });
}

/** Each grant's live refresh token (or `null` when gone), read ten keys at a time. */
async function readRefreshTokens(
  kv: Deno.Kv,
  grants: StoredGrant[],
): Promise<(StoredRefreshToken | null)[]> {
  const tokens: (StoredRefreshToken | null)[] = [];
  for (let i = 0; i < grants.length; i += 10) {
    const batch = grants.slice(i, i + 10).map((grant) => grantKeys.refresh(grant.refreshHash));
    const entries = await kv.getMany<StoredRefreshToken[]>(batch);
    tokens.push(...entries.map((entry) => entry.value));
  }
  return tokens;
}

/** Revokes without keeping anything for Undo (too many grants for one atomic operation). */
async function revokeForGood(kv: Deno.Kv, consent: StoredConsent): Promise<RevocationOutcome> {
  await revokeConsent(kv, consent.userId, consent.clientId);
  return { kind: "revoked", clientName: consent.clientName, undoToken: null };
}
