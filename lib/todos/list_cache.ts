/**
 * Lists kept per isolate, keyed by the change marker they were read at. Every write bumps the
 * user's marker in its own atomic operation (./version.ts), so a list kept under the marker's
 * current versionstamp is the list: reading the marker (one `get`) replaces listing every todo.
 */
import { LIST_CACHE_TODOS } from "../tuning.ts";
import type { Todo } from "./rules.ts";

/** A user's list as read at one change marker (`versionstamp` of `["todo_changes", userId]`). */
export interface ListAt {
  /** `null` before the user's first change: such lists are never kept. */
  versionstamp: string | null;
  todos: readonly Readonly<Todo>[];
}

/** Least recently used lists, up to `budget` todos in all, per KV store. */
export class ListCache {
  #lists = new Map<string, ListAt>();
  #todos = 0;

  constructor(readonly budget = LIST_CACHE_TODOS) {}

  /** The list kept for `userId` at `versionstamp`, or `undefined`. */
  get(userId: string, versionstamp: string | null): ListAt | undefined {
    const kept = this.#lists.get(userId);
    if (!kept || versionstamp === null || kept.versionstamp !== versionstamp) return undefined;
    this.#lists.delete(userId); // most recently used goes last
    this.#lists.set(userId, kept);
    return kept;
  }

  /** Keeps `list` for `userId` (replacing an older one), dropping the least recently used. */
  set(userId: string, list: ListAt): void {
    this.#drop(userId);
    if (list.versionstamp === null || this.budget === 0 || list.todos.length > this.budget) return;
    this.#lists.set(userId, list);
    this.#todos += list.todos.length;
    for (const oldest of this.#lists.keys()) {
      if (this.#todos <= this.budget) break;
      this.#drop(oldest);
    }
  }

  /** How many lists and todos are kept (for tests and the benchmark). */
  get size(): { lists: number; todos: number } {
    return { lists: this.#lists.size, todos: this.#todos };
  }

  #drop(userId: string): void {
    const kept = this.#lists.get(userId);
    if (!kept) return;
    this.#lists.delete(userId);
    this.#todos -= kept.todos.length;
  }
}

const caches = new WeakMap<Deno.Kv, ListCache>();

/** The cache of lists read from `kv` (one per KV handle: tests open many). */
export function listCacheOf(kv: Deno.Kv): ListCache {
  let cache = caches.get(kv);
  if (!cache) caches.set(kv, cache = new ListCache());
  return cache;
}

/**
 * Sets how many todos lists read from `kv` may keep, at start-up. 0 turns keeping off: every
 * read lists its todos and reads no marker (so nothing built on the marker, like the todo
 * page's kept rendering, is kept either).
 */
export function setListCacheBudget(kv: Deno.Kv, todos: number): void {
  caches.set(kv, new ListCache(todos));
}
