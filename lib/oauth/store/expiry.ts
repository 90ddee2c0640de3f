/** KV expiry of the OAuth records that carry their own `expiresAt`. */

/** Milliseconds left until `expiresAt`, at least one (KV rejects a zero `expireIn`). */
export function expireIn(expiresAt: number, now: number): number {
  return Math.max(1, expiresAt - now);
}
