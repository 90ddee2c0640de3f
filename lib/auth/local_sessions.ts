/**
 * Built-in local sign-in's storage: users by email and browser sessions, in Deno KV.
 * Sessions are stored under the SHA-256 of their token, so the KV data alone cannot be
 * replayed as a cookie.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { ValidationError } from "../errors.ts";
import { newId } from "../ids.ts";
import { RETRY, retryOnConflict } from "../kv/retry.ts";
import type { User } from "./identity.ts";

export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

interface StoredSession {
  userId: string;
  email: string;
  expiresAt: number;
}

/** KV key of a local user id, by normalized email. */
export const localUserKey = (email: string): Deno.KvKey => ["local_users_by_email", email];
/** KV key of a session, by the SHA-256 hex of its token. */
export const sessionKey = (tokenHash: string): Deno.KvKey => ["sessions", tokenHash];

const EmailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email());

/** Lower-cases and checks an email address, throwing {@linkcode ValidationError}. */
export function normalizeEmail(email: unknown): string {
  const result = EmailSchema.safeParse(email);
  if (!result.success) throw new ValidationError("Enter a valid email address.");
  return result.data;
}

/** Returns the local user for `email`, creating one on first sign-in (the same email is always the same user). */
export function findOrCreateLocalUser(kv: Deno.Kv, email: string): Promise<User> {
  const key = localUserKey(email);
  return retryOnConflict("the account for this email", async () => {
    const existing = await kv.get<{ id: string }>(key);
    if (existing.value) return { id: existing.value.id, email };
    const id = `user-local-${newId().toLowerCase()}`;
    const result = await kv.atomic().check(existing).set(key, { id, createdAt: Date.now() })
      .commit();
    return result.ok ? { id, email } : RETRY;
  });
}

/** Starts a session for `user`; returns the token to put in the cookie. */
export async function createSession(kv: Deno.Kv, user: User): Promise<string> {
  const token = crypto.getRandomValues(new Uint8Array(32))
    .toBase64({ alphabet: "base64url", omitPadding: true });
  const session: StoredSession = {
    userId: user.id,
    email: user.email ?? "",
    expiresAt: Date.now() + SESSION_TTL_MS,
  };
  await kv.set(sessionKey(sha256Hex(token)), session, { expireIn: SESSION_TTL_MS });
  return token;
}

/** The user and expiry (ms) of a live session token, or `null` for unknown or expired tokens. */
export async function findSession(
  kv: Deno.Kv,
  token: string,
): Promise<{ user: User; expiresAt: number } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const entry = await kv.get<StoredSession>(sessionKey(sha256Hex(token)));
  if (!entry.value || entry.value.expiresAt <= Date.now()) return null;
  const user = { id: entry.value.userId, email: entry.value.email || null };
  return { user, expiresAt: entry.value.expiresAt };
}

/** The user of a live session token, or `null` for unknown or expired tokens. */
export async function getSessionUser(kv: Deno.Kv, token: string): Promise<User | null> {
  return (await findSession(kv, token))?.user ?? null;
}

/** Ends a session; unknown tokens are ignored. */
export async function deleteSession(kv: Deno.Kv, token: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return;
  await kv.delete(sessionKey(sha256Hex(token)));
}

/**
 * Hex SHA-256 of a string (UTF-8). Synchronous `node:crypto`: WebCrypto's `digest` is an async
 * op costing about 25 times the CPU for a 43-character token, paid on every signed-in request.
 */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}
