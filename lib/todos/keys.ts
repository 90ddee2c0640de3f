/**
 * The KV keys of the todo store, built only here:
 *
 *     ["todos", userId, todoId]          -> Todo          one key per todo (ULIDs sort by creation)
 *     ["todo_count", userId]             -> Deno.KvU64    enforces MAX_TODOS
 *     ["todos_deleted", userId, todoId]  -> Todo          a deletion that can still be undone
 *     ["todos_undo", userId]             -> DeletionRecord  the user's last undoable deletion
 *     ["todo_changes", userId]           -> Deno.KvU64    the change marker (./version.ts)
 *     ["todos_bulk", userId, opId]       -> PendingBulk   a bulk change under way (./bulk.ts)
 */

/** KV key of one todo. */
export const todoKey = (userId: string, todoId: string): Deno.KvKey => ["todos", userId, todoId];

/** KV key prefix of all of a user's todos. */
export const todosPrefix = (userId: string): Deno.KvKey => ["todos", userId];

/** KV key of a user's todo count. */
export const todoCountKey = (userId: string): Deno.KvKey => ["todo_count", userId];

/** KV key of a deleted todo kept for undo. */
export const deletedTodoKey = (userId: string, todoId: string): Deno.KvKey => [
  "todos_deleted",
  userId,
  todoId,
];

/** KV key of a user's last undoable deletion. */
export const lastDeletionKey = (userId: string): Deno.KvKey => ["todos_undo", userId];

/** KV key of a user's change marker: how many changes their todos have had. */
export const todoChangesKey = (userId: string): Deno.KvKey => ["todo_changes", userId];

/**
 * The KV key of the change marker `readList` (./reads.ts) reads first: a caller that reads
 * other keys in the same request may read it with them (one `getMany`) and hand its entry over.
 */
export const listMarkerKey = (userId: string): Deno.KvKey => todoChangesKey(userId);

/** KV key of a bulk change under way (resumed at start-up if the process stopped mid-way). */
export const pendingBulkKey = (userId: string, opId: string): Deno.KvKey => [
  "todos_bulk",
  userId,
  opId,
];

/** KV key prefix of every bulk change under way. */
export const pendingBulksPrefix: Deno.KvKey = ["todos_bulk"];
