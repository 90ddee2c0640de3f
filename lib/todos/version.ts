/**
 * The change marker: every committed change to a user's todos also adds 1 to
 * `["todo_changes", userId] -> Deno.KvU64` in the same atomic operation ({@linkcode withChange}).
 * A sum needs no check, so concurrent writes never conflict over it, and its value is the
 * user's change count: a version that only grows. Open pages and MCP listen streams follow it
 * (lib/live/changes.ts, through {@linkcode watchTodosVersion}).
 */
import { todoChangesKey } from "./keys.ts";

/**
 * Adds the change-marker bump to `op`: every write path of the store builds its operation here
 * and commits it with `commitNoted` (lib/kv/local_changes.ts).
 */
export function withChange(op: Deno.AtomicOperation, userId: string): Deno.AtomicOperation {
  return op.sum(todoChangesKey(userId), 1n);
}

/**
 * The user's change count (0 before their first change): it grows with every committed write,
 * so a list read after it is at least that new.
 */
export async function getTodosVersion(kv: Deno.Kv, userId: string): Promise<number> {
  const entry = await kv.get<Deno.KvU64>(todoChangesKey(userId));
  return Number(entry.value?.value ?? 0n);
}

/** One reading of the marker: the change count and the versionstamp that wrote it. */
export interface TodosVersion {
  version: number;
  versionstamp: string | null;
}

/**
 * The user's change marker as `kv.watch` delivers it: the current reading at once, then one
 * after changes (a burst of changes may arrive as one). Cancel the stream to stop watching.
 */
export function watchTodosVersion(kv: Deno.Kv, userId: string): ReadableStream<TodosVersion> {
  return kv.watch<[Deno.KvU64]>([todoChangesKey(userId)]).pipeThrough(
    new TransformStream<[Deno.KvEntryMaybe<Deno.KvU64>], TodosVersion>({
      transform([entry], out) {
        out.enqueue({
          version: Number(entry.value?.value ?? 0n),
          versionstamp: entry.versionstamp,
        });
      },
    }),
  );
}
