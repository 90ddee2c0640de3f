/**
 * Change notices for a user's todos, from a watch on their change marker (`watchTodosVersion`,
 * bumped by every write in lib/todos/). One watch per user per
 * KV handle (one per isolate in production) feeds every open stream of that user in the
 * isolate: the events endpoint and MCP `subscriptions/listen`. No timers: the watch is all.
 *
 * On Deno Deploy a watch sees writes made by any isolate; with the SQLite backend (local runs)
 * it sees only writes made by this process (see docs/live-sync.md).
 */
import { watchTodosVersion } from "../todos/mod.ts";

/** Called with the user's change count each time the marker changes (and once at the start). */
export type ChangeListener = (version: number) => void;

interface Watch {
  listeners: Set<Watcher>;
  stop: () => void;
}

interface Watcher {
  onChange: ChangeListener;
  /** Called once when the watch fails (e.g. the KV handle closed); the listener is dropped. */
  onEnd: (error: unknown) => void;
}

const watches = new WeakMap<Deno.Kv, Map<string, Watch>>();

/**
 * Calls `onChange` whenever `userId`'s todos change, until the returned function is called.
 * The first call may come at once with the current count: listeners compare counts rather than
 * count calls. `onEnd` says the watch failed; nothing more will arrive.
 */
export function watchTodoChanges(
  kv: Deno.Kv,
  userId: string,
  onChange: ChangeListener,
  onEnd: (error: unknown) => void = () => {},
): () => void {
  let byUser = watches.get(kv);
  if (!byUser) watches.set(kv, byUser = new Map());
  let watch = byUser.get(userId);
  if (!watch) byUser.set(userId, watch = startWatch(kv, userId, byUser));
  const watcher: Watcher = { onChange, onEnd };
  watch.listeners.add(watcher);
  const current = watch;
  return () => {
    if (!current.listeners.delete(watcher)) return;
    if (current.listeners.size === 0) current.stop();
  };
}

/** How many users have a watch open on `kv` (tests and benchmarks check nothing is left). */
export function openWatchCount(kv: Deno.Kv): number {
  return watches.get(kv)?.size ?? 0;
}

function startWatch(kv: Deno.Kv, userId: string, byUser: Map<string, Watch>): Watch {
  const reader = watchTodosVersion(kv, userId).getReader();
  let stopped = false;
  const watch: Watch = {
    listeners: new Set(),
    stop() {
      if (stopped) return;
      stopped = true;
      if (byUser.get(userId) === watch) byUser.delete(userId);
      reader.cancel().catch(() => {});
    },
  };
  (async () => {
    let last: string | null | undefined;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || stopped) break;
        if (value.versionstamp === last) continue;
        last = value.versionstamp;
        const { version } = value;
        for (const watcher of [...watch.listeners]) {
          try {
            watcher.onChange(version);
          } catch (error) {
            console.error("live: a change listener failed:", error);
          }
        }
      }
      if (!stopped) throw new Error("The KV watch ended.");
    } catch (error) {
      if (stopped) return;
      const listeners = [...watch.listeners];
      watch.listeners.clear();
      watch.stop();
      for (const watcher of listeners) watcher.onEnd(error);
    }
  })();
  return watch;
}
