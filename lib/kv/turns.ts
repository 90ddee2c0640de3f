/**
 * Turns: tasks given the same KV handle and name run one at a time, in the order they came.
 * Writers in one isolate that would all check and rewrite one hot key (a user's todo count)
 * take turns instead of racing for it, so their commits do not conflict with each other; only
 * writers in other isolates can still win a race, and the retry loop (./retry.ts) handles those.
 */

/** The last task queued per handle and name; an entry goes once its queue runs dry. */
const tails = new WeakMap<Deno.Kv, Map<string, Promise<void>>>();

/** Runs `task` after every task queued before it for `kv` and `name` has settled. */
export function inTurn<T>(kv: Deno.Kv, name: string, task: () => Promise<T>): Promise<T> {
  let queues = tails.get(kv);
  if (!queues) tails.set(kv, queues = new Map());
  const result = (queues.get(name) ?? Promise.resolve()).then(task);
  const tail = result.then(() => {}, () => {});
  queues.set(name, tail);
  tail.then(() => {
    if (queues.get(name) === tail) queues.delete(name);
  });
  return result;
}
