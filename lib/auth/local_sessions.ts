/**
 * Built-in local sign-in's storage: users by email and browser sessions, in Deno KV.
 * Sessions are stored under the SHA-256 of their token, so the KV data alone cannot be
 * replayed as a cookie.
 */
import * as z from "zod/mini";
import { ValidationError } from "../errors.ts";
import { backstopExpireIn } from "../kv/expiry.ts";
import { lazyImport } from "../lazy_import.ts";
import { findOrCreateAccount, markAccountUsed } from "./local_accounts.ts";
import type { User } from "./identity.ts";

export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

interface StoredSession {
  userId: string;
  email: string;
  expiresAt: number;
  /** Set while the account it was made for has not been used (lib/auth/local_accounts.ts). */
  accountPending?: true;
}

export { localUserKey } from "./local_accounts.ts";
/** KV key of a session, by the SHA-256 hex of its token. */
export const sessionKey = (tokenHash: string): Deno.KvKey => ["sessions", tokenHash];

const EmailSchema = z.pipe(
  z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254)),
  z.email(),
);

/** Lower-cases and checks an email address, throwing {@linkcode ValidationError}. */
export function normalizeEmail(email: unknown): string {
  const result = EmailSchema.safeParse(email);
  if (!result.success) throw new ValidationError("Enter a valid email address.");
  return result.data;
}

/** How long an account nobody used is kept: past the life of the session made with it. */
export const UNUSED_ACCOUNT_TTL_MS = SESSION_TTL_MS + 24 * 60 * 60 * 1000;

/**
 * Returns the local user for `email`, creating one on first sign-in (the same email is always
 * the same user), within the cap on accounts (lib/auth/local_accounts.ts).
 */
export function findOrCreateLocalUser(
  kv: Deno.Kv,
  email: string,
): Promise<User & { pending: boolean }> {
  return findOrCreateAccount(kv, email, { unusedTtlMs: UNUSED_ACCOUNT_TTL_MS });
}

/**
 * Starts a session for `user`; returns the token to put in the cookie. A `pending` user's
 * account is marked used when the session comes back ({@linkcode getSessionUser}).
 */
export async function createSession(
  kv: Deno.Kv,
  user: User & { pending?: boolean },
): Promise<string> {
  const token = crypto.getRandomValues(new Uint8Array(32))
    .toBase64({ alphabet: "base64url", omitPadding: true });
  const now = Date.now();
  const session: StoredSession = {
    userId: user.id,
    email: user.email ?? "",
    expiresAt: now + SESSION_TTL_MS,
    ...(user.pending ? { accountPending: true as const } : {}),
  };
  await kv.set(sessionKey(await sha256Hex(token)), session, {
    expireIn: backstopExpireIn(session.expiresAt, now),
  });
  return token;
}

/**
 * The user and expiry (ms) of a live session token, or `null` for unknown or expired tokens.
 * The first time a session made for an unused account comes back, the account is kept for good.
 */
export async function findSession(
  kv: Deno.Kv,
  token: string,
): Promise<{ user: User; expiresAt: number } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const entry = await kv.get<StoredSession>(sessionKey(await sha256Hex(token)));
  const now = Date.now();
  if (!entry.value || entry.value.expiresAt <= now) return null;
  const user = { id: entry.value.userId, email: entry.value.email || null };
  if (entry.value.accountPending) {
    await markAccountUsed(kv, user, now);
    const { accountPending: _, ...session } = entry.value;
    await kv.atomic().check(entry)
      .set(entry.key, session, { expireIn: backstopExpireIn(session.expiresAt, now) })
      .commit(); // lost to a concurrent request: it did the same
  }
  return { user, expiresAt: entry.value.expiresAt };
}

/** The user of a live session token, or `null` for unknown or expired tokens. */
export async function getSessionUser(kv: Deno.Kv, token: string): Promise<User | null> {
  return (await findSession(kv, token))?.user ?? null;
}

/** Ends a session; unknown tokens are ignored. */
export async function deleteSession(kv: Deno.Kv, token: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return;
  await kv.delete(sessionKey(await sha256Hex(token)));
}

/** `node:crypto`, loaded with the first hash: start-up does not need it. */
const nodeCrypto = lazyImport(() => import("node:crypto"));

/**
 * Hex SHA-256 of a string (UTF-8), by `node:crypto`'s synchronous hash: WebCrypto's `digest`
 * is an async op costing about 25 times the CPU for a 43-character token, paid on every
 * signed-in request. Async only for the module's load on first use.
 */
export async function sha256Hex(value: string): Promise<string> {
  return (await nodeCrypto()).createHash("sha256").update(value, "utf8").digest("hex");
}
