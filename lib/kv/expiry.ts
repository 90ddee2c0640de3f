/**
 * How long KV keeps a record that carries its own expiry (`expiresAt`, checked in code on
 * every read). KV's `expireIn` deletes by the wall clock at the moment it looks: a clock that
 * jumps forward deletes for good records that are still valid once the clock is put right.
 * So a lasting record (a session, a grant, a refresh token, a used client) gets `expireIn`
 * as a backstop, {@linkcode CLOCK_JUMP_ALLOWANCE_MS} beyond its own expiry; short-lived and
 * unauthenticated records (codes, consent forms, unused registrations) keep an exact one, so
 * their storage stays bounded and a jump only makes someone start over.
 */

/** How far the clock may jump forward without KV deleting a lasting record for good. */
export const CLOCK_JUMP_ALLOWANCE_MS = 30 * 24 * 60 * 60 * 1000;

/** Milliseconds until `expiresAt`, at least one (KV rejects a zero `expireIn`). */
export function expireIn(expiresAt: number, now: number): number {
  return Math.max(1, expiresAt - now);
}

/** The `expireIn` of a lasting record that expires at `expiresAt` by its own check. */
export function backstopExpireIn(expiresAt: number, now: number): number {
  return expireIn(expiresAt, now) + CLOCK_JUMP_ALLOWANCE_MS;
}
