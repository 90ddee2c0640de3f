/**
 * Lists kept per isolate, keyed by the change marker they were read at. Every write bumps the
 * user's marker in its own atomic operation (./version.ts), so a list kept under the marker's
 * current versionstamp is the list: reading the marker (one `get`) replaces listing every todo.
 */
import { LIST_CACHE_BYTES } from "../tuning.ts";
import type { Todo } from "./rules.ts";

/** A user's list as read at one change marker (`versionstamp` of `["todo_changes", userId]`). */
export interface ListAt {
  /** `null` before the user's first change: such lists are never kept. */
  versionstamp: string | null;
  todos: readonly Readonly<Todo>[];
}

/** How a cache has been used: reads answered from it, reads that were not, bytes held. */
export interface CacheStats {
  hits: number;
  misses: number;
  bytes: number;
}

/** Least recently used lists, up to `budget` bytes of JSON in all, per KV store. */
export class ListCache {
  #lists = new Map<string, { list: ListAt; bytes: number }>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(readonly budget = LIST_CACHE_BYTES) {}

  /** The list kept for `userId` at `versionstamp`, or `undefined`. */
  get(userId: string, versionstamp: string | null): ListAt | undefined {
    const kept = this.#lists.get(userId);
    if (!kept || versionstamp === null || kept.list.versionstamp !== versionstamp) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    this.#lists.delete(userId); // most recently used goes last
    this.#lists.set(userId, kept);
    return kept.list;
  }

  /** Keeps `list` for `userId` (replacing an older one), dropping the least recently used. */
  set(userId: string, list: ListAt): void {
    this.#drop(userId);
    if (list.versionstamp === null || this.budget === 0) return;
    const bytes = listBytes(list.todos);
    if (bytes > this.budget) return;
    this.#lists.set(userId, { list, bytes });
    this.#bytes += bytes;
    for (const oldest of this.#lists.keys()) {
      if (this.#bytes <= this.budget) break;
      this.#drop(oldest);
    }
  }

  /** How many lists and bytes are kept (for tests and the benchmark). */
  get size(): { lists: number; bytes: number } {
    return { lists: this.#lists.size, bytes: this.#bytes };
  }

  /** Hits, misses and bytes held since this cache was made (for the benchmark). */
  get stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, bytes: this.#bytes };
  }

  #drop(userId: string): void {
    const kept = this.#lists.get(userId);
    if (!kept) return;
    this.#lists.delete(userId);
    this.#bytes -= kept.bytes;
  }
}

/**
 * The size a list is counted at: the length of its JSON, doubled when any character needs two
 * bytes (V8 then stores the whole string with two bytes a character, as page_cache.ts counts).
 */
export function listBytes(todos: readonly Readonly<Todo>[]): number {
  const json = JSON.stringify(todos);
  return /[\u0100-\uffff]/.test(json) ? json.length * 2 : json.length;
}

const caches = new WeakMap<Deno.Kv, ListCache>();

/** The cache of lists read from `kv` (one per KV handle: tests open many). */
export function listCacheOf(kv: Deno.Kv): ListCache {
  let cache = caches.get(kv);
  if (!cache) caches.set(kv, cache = new ListCache());
  return cache;
}

/**
 * Sets how many bytes of lists read from `kv` may be kept, at start-up. 0 turns keeping off:
 * every read lists its todos and reads no marker (so nothing built on the marker, like the
 * todo page's kept rendering, is kept either).
 */
export function setListCacheBudget(kv: Deno.Kv, bytes: number): void {
  caches.set(kv, new ListCache(bytes));
}
