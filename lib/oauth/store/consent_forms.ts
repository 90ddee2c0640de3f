/**
 * Deno KV storage of consent forms shown and not yet answered (pending authorizations), under
 * the SHA-256 of the form's CSRF token, each taken at most once.
 *
 * ```
 * ["oauth_pending", tokenHash] -> PendingAuthorization (consent form, 10 min)
 * ```
 */
import { RETRY, retryOnConflict } from "../../kv/retry.ts";
import { expireIn } from "../../kv/expiry.ts";

/** A validated authorization request, as approved or denied on the consent page. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state: string | null;
  scopes: string[];
  codeChallenge: string;
  resource: string;
}

/** A consent form shown to a user; its token is the form's CSRF token. */
export interface PendingAuthorization {
  userId: string;
  request: AuthorizationRequest;
  expiresAt: number;
}

/** Typed key builder for a consent form, by the hash of its CSRF token. */
export const consentFormKey = (tokenHash: string): Deno.KvKey => ["oauth_pending", tokenHash];

/** Remembers a consent form shown to a user, under the hash of its CSRF token. */
export async function savePendingAuthorization(
  kv: Deno.Kv,
  tokenHash: string,
  pending: PendingAuthorization,
  now: number,
): Promise<void> {
  await kv.set(consentFormKey(tokenHash), pending, { expireIn: expireIn(pending.expiresAt, now) });
}

/**
 * Takes (reads and deletes, once) the consent form for `tokenHash` if it belongs to `userId`
 * and is live; `null` when it is unknown, used, expired or another user's (which stays
 * untouched). A form that keeps changing under the deletion throws `WriteConflictError`.
 */
export function takePendingAuthorization(
  kv: Deno.Kv,
  tokenHash: string,
  userId: string,
  now: number,
): Promise<PendingAuthorization | null> {
  return retryOnConflict("the consent form", async () => {
    const entry = await kv.get<PendingAuthorization>(consentFormKey(tokenHash));
    const pending = entry.value;
    if (!pending || pending.userId !== userId || pending.expiresAt <= now) return null;
    const result = await kv.atomic().check(entry).delete(entry.key).commit();
    return result.ok ? pending : RETRY;
  });
}
