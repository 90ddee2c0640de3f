/**
 * Verified tokens remembered per isolate, so that a client sending the same bearer token again
 * skips the RS256 verification (about 0.4 ms a call on a small machine). Only tokens that
 * passed every check are remembered, each until its own `exp` at the latest, and at most
 * {@linkcode TOKEN_CACHE_SIZE} of them (the least recently used go first). What a cached
 * token stands for is still re-checked where revocation lives: local-mode grants are read
 * from KV on every request (lib/oauth/tokens.ts), so a revoked grant stops working at once.
 */

/** Most verified tokens one isolate remembers. */
export const TOKEN_CACHE_SIZE = 1000;

/** A bounded map from a verified token (and what it was verified for) to what it carries. */
export class VerifiedTokenCache<T> {
  readonly #entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(readonly size = TOKEN_CACHE_SIZE) {}

  /** What `key` was verified to carry, unless unknown or expired at `now` (then forgotten). */
  get(key: string, now = Date.now()): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (now >= entry.expiresAt) return undefined;
    this.#entries.set(key, entry); // most recently used last
    return entry.value;
  }

  /** Remembers `value` for `key` until `expiresAt` (ms since the epoch). */
  set(key: string, value: T, expiresAt: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt });
    if (this.#entries.size > this.size) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  /** Forgets `key` (e.g. its grant turned out to be revoked). */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** How many tokens are remembered. */
  get count(): number {
    return this.#entries.size;
  }
}

/** When a verified payload stops being trusted from memory: its `exp`, in ms. */
export function cachedUntil(payload: { exp?: number }): number {
  return typeof payload.exp === "number" ? payload.exp * 1000 : 0;
}
