/**
 * Deletions the web page can undo for {@linkcode UNDO_WINDOW_MS}: the todos wait under
 * `["todos_deleted", userId, todoId]` and `["todos_undo", userId]` names the user's last
 * deletion, so Undo brings them back with their ids (so in their places), text and state.
 */
import { newId } from "../ids.ts";
import { RETRY } from "../kv/retry.ts";
import { NotFoundError } from "../errors.ts";
import { BULK_BATCH_SIZE, type PendingBulk, recorded } from "./bulk.ts";
import { deletedTodoKey, lastDeletionKey, todoCountKey, todoKey } from "./keys.ts";
import { chunks, getManyEntries, listTodos, readTodos } from "./reads.ts";
import { MAX_TODOS } from "./limits.ts";
import { isTodoId, noTodo, todoLimitReached } from "./refusals.ts";
import type { Todo } from "./rules.ts";
import { retryCountWrite } from "./store.ts";
import { withChange } from "./version.ts";
import { commitNoted } from "../kv/local_changes.ts";

/**
 * How long a deletion made on the web page can be undone. The page offers Undo for a few
 * seconds (without JavaScript, until the next action); the server keeps the todos this long.
 */
export const UNDO_WINDOW_MS = 10 * 60_000;

/** An undoable deletion: what was deleted, named by a token the Undo button sends back. */
export interface Deletion {
  token: string;
  /** The deleted todos, in list order. */
  todos: Todo[];
}

/** What `["todos_undo", userId]` holds. */
interface DeletionRecord {
  token: string;
  ids: string[];
  /** Milliseconds since the epoch. */
  at: number;
}

/**
 * Deletes a todo so that {@linkcode undoDeletion} can bring it back (same id, so same place)
 * within {@linkcode UNDO_WINDOW_MS}; throws `NotFoundError` for unknown ids.
 */
export async function deleteTodoUndoably(
  kv: Deno.Kv,
  userId: string,
  todoId: string,
): Promise<Deletion> {
  if (!isTodoId(todoId)) throw noTodo(todoId);
  const deletion = await deleteUndoably(kv, userId, [todoId]);
  if (deletion.todos.length === 0) throw noTodo(todoId);
  return deletion;
}

/** Deletes every completed todo, undoably, in batches of atomic operations. */
export async function clearCompleted(kv: Deno.Kv, userId: string): Promise<Deletion> {
  const ids = (await listTodos(kv, userId)).filter((todo) => todo.completed).map((t) => t.id);
  const token = newId();
  return await recorded(kv, userId, { kind: "clear", token, ids }, () =>
    // A todo reopened meanwhile (another tab, an agent) stays.
    deleteUndoably(kv, userId, ids, (todo) => todo.completed, token));
}

/** Finishes a clear-completed or an undo a stopped process left under way (./bulk.ts). */
export async function resumeDeletion(kv: Deno.Kv, userId: string, pending: PendingBulk) {
  if (pending.kind === "undo") {
    // Batches already restored are gone from the deleted set; the rest come back now. An undo
    // whose last batch was committed left no deletion record: nothing is left to do.
    const record = await readDeletion(kv, userId, pending.token);
    if (record.value) await restoreDeletion(kv, userId, pending.token, record.value.ids);
    return;
  }
  if (pending.kind !== "clear") return;
  const record = await kv.get<DeletionRecord>(lastDeletionKey(userId));
  const done = record.value?.token === pending.token ? record.value.ids : [];
  await deleteUndoably(kv, userId, pending.ids, (todo) => todo.completed, pending.token, done);
}

/** The user's last deletion if `token` names it and it can still be undone, else `null`. */
export async function getDeletion(
  kv: Deno.Kv,
  userId: string,
  token: unknown,
): Promise<Deletion | null> {
  const record = await readDeletion(kv, userId, token);
  if (!record.value) return null;
  const kept = await getManyEntries<Todo>(
    kv,
    record.value.ids.map((id) => deletedTodoKey(userId, id)),
  );
  return { token: record.value.token, todos: kept.map((entry) => entry.value) };
}

/**
 * Undoes the deletion `token` names (the user's last one, within {@linkcode UNDO_WINDOW_MS}):
 * the todos come back with their ids, text and state, so in their old places. Recorded like
 * every bulk change (./bulk.ts), so an undo stopped mid-way is finished at start-up.
 */
export async function undoDeletion(kv: Deno.Kv, userId: string, token: unknown): Promise<Todo[]> {
  const first = await readDeletion(kv, userId, token);
  if (!first.value) {
    throw new NotFoundError(
      "There is nothing to undo: that deletion is too old or another one came after it.",
    );
  }
  const { ids } = first.value;
  const pending: PendingBulk = { kind: "undo", token: first.value.token, ids };
  return await recorded(kv, userId, pending, () => restoreDeletion(kv, userId, pending.token, ids));
}

/** Brings back the kept todos among `ids` in batches; the last removes the deletion record. */
async function restoreDeletion(
  kv: Deno.Kv,
  userId: string,
  token: string,
  ids: string[],
): Promise<Todo[]> {
  const batches = chunks(ids, BULK_BATCH_SIZE);
  const restored: Todo[] = [];
  for (const [index, batch] of batches.entries()) {
    const last = index === batches.length - 1;
    restored.push(
      ...await retryCountWrite(kv, userId, async () => {
        const [kept, count, record] = await Promise.all([
          getManyEntries<Todo>(kv, batch.map((id) => deletedTodoKey(userId, id))),
          kv.get<Deno.KvU64>(todoCountKey(userId)),
          kv.get<DeletionRecord>(lastDeletionKey(userId)),
        ]);
        const current = count.value?.value ?? 0n;
        if (current + BigInt(kept.length) > BigInt(MAX_TODOS)) throw todoLimitReached();
        const op = withChange(kv.atomic(), userId).check(count);
        for (const entry of kept) {
          const key = todoKey(userId, entry.value.id);
          op.check(entry).check({ key, versionstamp: null }).set(key, entry.value).delete(
            entry.key,
          );
        }
        op.set(todoCountKey(userId), new Deno.KvU64(current + BigInt(kept.length)));
        // The record goes with the last batch, unless a newer deletion replaced it meanwhile.
        if (last && record.value?.token === token) op.check(record).delete(record.key);
        return (await commitNoted(kv, userId, op)).ok ? kept.map((entry) => entry.value) : RETRY;
      }),
    );
  }
  return restored;
}

/** Deletes the todos among `ids` that `select` picks, in batches, as one undoable deletion. */
async function deleteUndoably(
  kv: Deno.Kv,
  userId: string,
  ids: string[],
  select: (todo: Todo) => boolean = () => true,
  token = newId(),
  deletedBefore: string[] = [],
): Promise<Deletion> {
  const deleted: Todo[] = [];
  for (const batch of chunks(ids, BULK_BATCH_SIZE)) {
    const removed = await retryCountWrite(kv, userId, async () => {
      const [found, count] = await Promise.all([
        readTodos(kv, userId, batch),
        kv.get<Deno.KvU64>(todoCountKey(userId)),
      ]);
      const entries = found.filter((entry) => select(entry.value));
      if (entries.length === 0) return []; // nothing to delete: keep the last undo as it was
      const current = count.value?.value ?? BigInt(entries.length);
      const removing = BigInt(entries.length);
      const record: DeletionRecord = {
        token,
        ids: [...deletedBefore, ...[...deleted, ...entries.map((e) => e.value)].map((t) => t.id)],
        at: Date.now(),
      };
      const op = withChange(kv.atomic(), userId).check(count);
      for (const entry of entries) {
        op.check(entry).delete(entry.key)
          .set(deletedTodoKey(userId, entry.value.id), entry.value, { expireIn: UNDO_WINDOW_MS });
      }
      op.set(todoCountKey(userId), new Deno.KvU64(current > removing ? current - removing : 0n))
        .set(lastDeletionKey(userId), record, { expireIn: UNDO_WINDOW_MS });
      return (await commitNoted(kv, userId, op)).ok ? entries.map((entry) => entry.value) : RETRY;
    });
    deleted.push(...removed);
  }
  return { token, todos: deleted };
}

/** The deletion record if `token` names it and it is recent enough to undo. */
async function readDeletion(
  kv: Deno.Kv,
  userId: string,
  token: unknown,
): Promise<Deno.KvEntryMaybe<DeletionRecord>> {
  const record = await kv.get<DeletionRecord>(lastDeletionKey(userId));
  const valid = typeof token === "string" && record.value?.token === token &&
    Date.now() - record.value.at <= UNDO_WINDOW_MS;
  return valid ? record : { ...record, value: null, versionstamp: null };
}
