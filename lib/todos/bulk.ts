/** Changes to every todo of a user, in bounded batches of atomic operations. */
import { RETRY, retryOnConflict } from "../kv/retry.ts";
import { chunks, listTodos, readTodos } from "./reads.ts";
import { checked, TodoCompleted } from "./rules.ts";
import { CONTENDED } from "./store.ts";
import { withChange } from "./version.ts";

/**
 * Todos per atomic operation in bulk changes. Deno KV allows 100 checks, 1000 mutations and
 * 800 KB per atomic operation; a batch checks each todo it changes (restoring checks two keys
 * per todo) plus the count, and a todo is at most ~2 KB, so 49 todos fit every kind of batch.
 */
export const BULK_BATCH_SIZE = 49;

/**
 * Marks every todo complete (or incomplete) in batches of {@linkcode BULK_BATCH_SIZE}, each
 * one atomic operation checked against what it read; returns how many todos changed.
 */
export async function setAllCompleted(
  kv: Deno.Kv,
  userId: string,
  completed: boolean,
): Promise<number> {
  checked(TodoCompleted, completed);
  const ids = (await listTodos(kv, userId)).filter((t) => t.completed !== completed).map((t) =>
    t.id
  );
  let changed = 0;
  for (const batch of chunks(ids, BULK_BATCH_SIZE)) {
    changed += await retryOnConflict(CONTENDED, async () => {
      const entries = (await readTodos(kv, userId, batch))
        .filter((entry) => entry.value.completed !== completed);
      if (entries.length === 0) return 0; // changed elsewhere meanwhile: nothing to commit
      const updatedAt = new Date().toISOString();
      const op = withChange(kv.atomic(), userId);
      for (const entry of entries) {
        op.check(entry).set(entry.key, { ...entry.value, completed, updatedAt });
      }
      return (await op.commit()).ok ? entries.length : RETRY;
    });
  }
  return changed;
}
