/**
 * The change marker: every committed change to a user's todos also adds 1 to
 * `["todo_changes", userId] -> Deno.KvU64` in the same atomic operation ({@linkcode withChange}).
 * A sum needs no check, so concurrent writes never conflict over it, and its value is the
 * user's change count: a version that only grows. Open pages and MCP listen streams follow it
 * (lib/live/changes.ts, through {@linkcode watchTodosVersion}).
 */
import { noteLocalChange } from "../kv/local_changes.ts";
import { todoChangesKey } from "./keys.ts";

/** Adds the change-marker bump to `op`: every write path of the store commits through here. */
export function withChange(op: Deno.AtomicOperation, userId: string): Deno.AtomicOperation {
  return op.sum(todoChangesKey(userId), 1n);
}

/**
 * Commits `op` (built with {@linkcode withChange}) and notes the change in this isolate, so a
 * marker kept from an earlier read is not trusted again (lib/kv/local_changes.ts).
 */
export async function commitChange(
  kv: Deno.Kv,
  userId: string,
  op: Deno.AtomicOperation,
): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
  try {
    return await op.commit();
  } finally {
    noteLocalChange(kv, userId);
  }
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
