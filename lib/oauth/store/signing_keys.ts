/**
 * Deno KV storage of the keys that sign access tokens: one record holding the key that signs
 * (`current`) and the one before it (`previous`), which still verifies what it signed.
 *
 * ```
 * ["oauth_signing_key"] -> StoredSigningKeys (before rotation existed: one SigningKeyRecord)
 * ```
 */
import { RETRY, retryOnConflict } from "../../kv/retry.ts";

/** An RS256 key pair as JWKs, and when it was made. */
export interface SigningKeyRecord {
  kid: string;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
  createdAt: number;
}

/** The key that signs and the one it replaced (`null` until the first rotation). */
export interface SigningKeySet {
  current: SigningKeyRecord;
  previous: SigningKeyRecord | null;
}

/** The stored form; `version` tells it from a single-key record of the first format. */
interface StoredSigningKeys extends SigningKeySet {
  version: 2;
}

/** Typed key builder for the signing keys' record. */
export const signingKeysKey = (): Deno.KvKey => ["oauth_signing_key"];

/** The stored keys, or `null` before the first; a single-key record reads as a set of one. */
export async function getSigningKeys(kv: Deno.Kv): Promise<SigningKeySet | null> {
  return readSet((await kv.get(signingKeysKey())).value);
}

/**
 * Brings the stored keys up to date and returns them: makes the first key, rewrites a
 * single-key record as a set, and, when `isDue` says so, rotates (`makeKey`'s key signs,
 * the current one becomes the previous one, the older one is dropped). One atomic operation
 * checked against the record it read, so isolates rotating at once make one new key.
 */
export function settleSigningKeys(
  kv: Deno.Kv,
  isDue: (keys: SigningKeySet) => boolean,
  makeKey: () => Promise<SigningKeyRecord>,
): Promise<SigningKeySet> {
  return retryOnConflict("the signing keys", async () => {
    const entry = await kv.get(signingKeysKey());
    const stored = readSet(entry.value);
    const due = stored !== null && isDue(stored);
    if (stored && !due && isCurrentFormat(entry.value)) return stored;
    const next: SigningKeySet = !stored
      ? { current: await makeKey(), previous: null }
      : due
      ? { current: await makeKey(), previous: stored.current }
      : stored;
    const record: StoredSigningKeys = { version: 2, ...next };
    const result = await kv.atomic().check(entry).set(signingKeysKey(), record).commit();
    return result.ok ? next : RETRY;
  });
}

function isCurrentFormat(value: unknown): value is StoredSigningKeys {
  return typeof value === "object" && value !== null &&
    (value as { version?: unknown }).version === 2;
}

function readSet(value: unknown): SigningKeySet | null {
  if (value === null || value === undefined) return null;
  if (isCurrentFormat(value)) return { current: value.current, previous: value.previous };
  const legacy = value as Partial<SigningKeyRecord>;
  if (typeof legacy.kid !== "string" || typeof legacy.privateJwk !== "object") {
    throw new Error("The stored signing key record is not in a known format.");
  }
  return { current: legacy as SigningKeyRecord, previous: null };
}
