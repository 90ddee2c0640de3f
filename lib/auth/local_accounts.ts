/**
 * Built-in sign-in's accounts (email -> user id), bounded: anyone who can reach the sign-in
 * form can make one, so an account that is never used is forgotten after
 * `unusedTtlMs` (longer than the session made with it, lib/auth/local_sessions.ts), and the app
 * holds at most {@linkcode MAX_LOCAL_ACCOUNTS}.
 *
 * An account is used once a session made for it comes back on a later request (a browser
 * that follows the sign-in redirect does so at once); it is then kept for good and counted.
 * New, unused accounts are counted per day for as long as they may live, so the cap holds
 * without a sweep: used + unused-in-window <= MAX_LOCAL_ACCOUNTS.
 *
 * ```
 * ["local_users_by_email", email]   -> LocalAccount (unused ones expire)
 * ["local_accounts", "used"]        -> Deno.KvU64 (accounts kept for good)
 * ["local_accounts", "new", day]    -> Deno.KvU64 (accounts made that day; expires)
 * ```
 */
import { ServiceUnavailableError } from "../errors.ts";
import { newId } from "../ids.ts";
import { RETRY, retryOnConflict } from "../kv/retry.ts";
import type { User } from "./identity.ts";

/** Most accounts the built-in sign-in holds, used and unused together. */
export const MAX_LOCAL_ACCOUNTS = 10_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What an email maps to. `usedAt` is set once a session came back. */
export interface LocalAccount {
  id: string;
  createdAt: number;
  usedAt?: number;
}

/** How long an unused account lives, and (for tests) the cap and the time. */
export interface AccountLimits {
  unusedTtlMs: number;
  max?: number;
  now?: number;
}

/** KV key of a local account, by normalized email. */
export const localUserKey = (email: string): Deno.KvKey => ["local_users_by_email", email];
const usedCountKey: Deno.KvKey = ["local_accounts", "used"];
const newCountKey = (day: number): Deno.KvKey => ["local_accounts", "new", day];

/** The days whose new accounts may still be stored at `now`, oldest first. */
function windowDays(now: number, unusedTtlMs: number): number[] {
  const today = Math.floor(now / DAY_MS);
  const span = Math.ceil(unusedTtlMs / DAY_MS);
  return Array.from({ length: span + 1 }, (_, index) => today - span + index);
}

const count = (entry: Deno.KvEntryMaybe<Deno.KvU64>) => Number(entry.value?.value ?? 0n);

/**
 * The account for `email`, made on first sign-in (the same email is always the same user)
 * unless the app holds `max` ({@linkcode MAX_LOCAL_ACCOUNTS}) already: then 503, and only existing
 * accounts can sign in. `pending` is true while the account has not been used.
 */
export function findOrCreateAccount(
  kv: Deno.Kv,
  email: string,
  { unusedTtlMs, max = MAX_LOCAL_ACCOUNTS, now = Date.now() }: AccountLimits,
): Promise<User & { pending: boolean }> {
  const key = localUserKey(email);
  const days = windowDays(now, unusedTtlMs);
  return retryOnConflict("the account for this email", async () => {
    const existing = await kv.get<LocalAccount>(key);
    if (existing.value) return { id: existing.value.id, email, pending: !existing.value.usedAt };
    const counts = await kv.getMany<Deno.KvU64[]>([usedCountKey, ...days.map(newCountKey)]);
    if (counts.reduce((total, entry) => total + count(entry), 0) >= max) {
      throw new ServiceUnavailableError(
        "This app holds as many accounts as it accepts, so no new one was made; " +
          "existing accounts can still sign in.",
        3600,
      );
    }
    const today = counts[counts.length - 1];
    const id = `user-local-${newId().toLowerCase()}`;
    const account: LocalAccount = { id, createdAt: now };
    const result = await kv.atomic().check(existing, ...counts)
      .set(key, account, { expireIn: unusedTtlMs })
      .set(today.key, new Deno.KvU64(BigInt(count(today) + 1)), {
        expireIn: unusedTtlMs + 2 * DAY_MS,
      })
      .commit();
    return result.ok ? { id, email, pending: true } : RETRY;
  });
}

/**
 * Keeps `user`'s account for good (no expiry) and counts it, once: when a session made while it
 * was unused comes back. Does nothing if the account is used already or now names another id.
 */
export function markAccountUsed(kv: Deno.Kv, user: User, now = Date.now()): Promise<void> {
  if (!user.email) return Promise.resolve();
  const key = localUserKey(user.email);
  return retryOnConflict("the account for this email", async () => {
    const [entry, used] = await kv.getMany<[LocalAccount, Deno.KvU64]>([key, usedCountKey]);
    if (entry.value?.usedAt || (entry.value && entry.value.id !== user.id)) return;
    const account: LocalAccount = {
      id: user.id,
      createdAt: entry.value?.createdAt ?? now,
      usedAt: now,
    };
    const result = await kv.atomic().check(entry, used)
      .set(key, account)
      .set(usedCountKey, new Deno.KvU64(BigInt(count(used) + 1)))
      .commit();
    return result.ok ? undefined : RETRY;
  });
}
