/**
 * Changes to every todo of a user, in bounded batches of atomic operations. A bulk change does
 * not fit one atomic operation (Deno KV allows 1000 mutations and 800 KiB per commit; 1000 todos
 * of 500 characters are more), so it is recorded before its first batch under
 * `["todos_bulk", userId, opId]` and the record is deleted after its last: a process stopped
 * mid-way leaves the record, and {@linkcode resumePendingBulks} finishes it at start-up. Each
 * batch is idempotent, so finishing one twice changes nothing.
 */
import { newId } from "../ids.ts";
import { RETRY, retryOnConflict } from "../kv/retry.ts";
import { pendingBulkKey, pendingBulksPrefix } from "./keys.ts";
import { chunks, listTodos, readTodos } from "./reads.ts";
import { CONTENDED, todoRules } from "./store.ts";
import { withChange } from "./version.ts";
import { commitNoted } from "../kv/local_changes.ts";

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
  const { checked, TodoCompleted } = await todoRules();
  checked(TodoCompleted, completed);
  const ids = (await listTodos(kv, userId)).filter((t) => t.completed !== completed).map((t) =>
    t.id
  );
  return await recorded(
    kv,
    userId,
    { kind: "complete", completed, ids },
    () => applyCompleted(kv, userId, ids, completed),
  );
}

/** A bulk change under way, as stored until its last batch is committed. */
export type PendingBulk =
  | { kind: "complete"; completed: boolean; ids: string[] }
  | { kind: "clear"; token: string; ids: string[] }
  | { kind: "undo"; token: string; ids: string[] };

/** Runs `apply` with `pending` recorded, so an interrupted run is finished at start-up. */
export async function recorded<T>(
  kv: Deno.Kv,
  userId: string,
  pending: PendingBulk,
  apply: () => Promise<T>,
): Promise<T> {
  if (pending.ids.length === 0) return await apply();
  const key = pendingBulkKey(userId, newId());
  await kv.set(key, pending);
  const result = await apply();
  await kv.delete(key);
  return result;
}

type Resume = (kv: Deno.Kv, userId: string, pending: PendingBulk) => Promise<unknown>;

/**
 * Finishes every bulk change a stopped process left under way (called at start-up, before
 * serving); `deletion` finishes a clear-completed or an undo (./deletions.ts). Returns how
 * many it finished.
 */
export async function resumePendingBulks(kv: Deno.Kv, deletion: Resume): Promise<number> {
  let finished = 0;
  for await (const entry of kv.list<PendingBulk>({ prefix: pendingBulksPrefix })) {
    const userId = String(entry.key[1]);
    const pending = entry.value;
    if (pending.kind === "complete") {
      await applyCompleted(kv, userId, pending.ids, pending.completed);
    } else await deletion(kv, userId, pending);
    await kv.delete(entry.key);
    finished++;
  }
  return finished;
}

/** Sets `completed` on the todos among `ids` that still exist, in idempotent batches. */
async function applyCompleted(
  kv: Deno.Kv,
  userId: string,
  ids: string[],
  completed: boolean,
): Promise<number> {
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
      return (await commitNoted(kv, userId, op)).ok ? entries.length : RETRY;
    });
  }
  return changed;
}
