/**
 * Verified tokens remembered per isolate, so that a client sending the same bearer token again
 * skips the RS256 verification (about 0.4 ms a call on a small machine). Only tokens that
 * passed every check are remembered, each until its own `exp` at the latest, and at most
 * {@linkcode TOKEN_CACHE_BYTES} of them (the least recently used go first). What a cached
 * token stands for is still re-checked where revocation lives: a local-mode grant is read from
 * KV again after a second or after the process changed its user (lib/oauth/tokens.ts), so a
 * revoked grant stops working on its next request.
 */
import { TOKEN_CACHE_BYTES } from "../tuning.ts";

interface Entry<T> {
  value: T;
  expiresAt: number;
  bytes: number;
}

/** A bounded map from a verified token (and what it was verified for) to what it carries. */
export class VerifiedTokenCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(readonly budget = TOKEN_CACHE_BYTES) {}

  /** What `key` was verified to carry, unless unknown or expired at `now` (then forgotten). */
  get(key: string, now = Date.now()): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry || now >= entry.expiresAt) {
      this.#misses++;
      if (entry) this.delete(key);
      return undefined;
    }
    this.#hits++;
    this.#entries.delete(key);
    this.#entries.set(key, entry); // most recently used last
    return entry.value;
  }

  /** Remembers `value` for `key` until `expiresAt` (ms since the epoch). */
  set(key: string, value: T, expiresAt: number): void {
    this.delete(key);
    const bytes = entryBytes(key, value);
    if (bytes > this.budget) return;
    this.#entries.set(key, { value, expiresAt, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.budget) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  /** Forgets `key` (e.g. its grant turned out to be revoked). */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  /** How many tokens are remembered. */
  get count(): number {
    return this.#entries.size;
  }

  /** Hits, misses and bytes held since this cache was made (for tests and the benchmark). */
  get stats(): { hits: number; misses: number; bytes: number } {
    return { hits: this.#hits, misses: this.#misses, bytes: this.#bytes };
  }
}

/** The size an entry is counted at: its key's length plus its value's JSON length. */
export function entryBytes(key: string, value: unknown): number {
  return key.length + (JSON.stringify(value, bigintsAsText)?.length ?? 0);
}

/** A JSON replacer for values holding KV entries: a `Deno.KvU64` holds a bigint. */
const bigintsAsText = (_key: string, value: unknown) =>
  typeof value === "bigint" ? value.toString() : value;

/** When a verified payload stops being trusted from memory: its `exp`, in ms. */
export function cachedUntil(payload: { exp?: number }): number {
  return typeof payload.exp === "number" ? payload.exp * 1000 : 0;
}
