/**
 * The todo store: the only code that reads or writes todos in Deno KV. The todo rules are
 * declared once, as zod schemas in ./rules.ts, which surfaces import to derive their own schemas;
 * this face leaves them out, so reading todos (and start-up) does not load zod.
 *
 * Every change is one atomic operation checked against the versionstamps it read and retried
 * by lib/kv/retry.ts (a lost race ends in `WriteConflictError`, never a silent no-op); bulk
 * changes are bounded batches of such operations. Each also bumps the user's change marker
 * (./version.ts), which live pages and MCP listen streams follow. Keys: ./keys.ts.
 */
export { MAX_TEXT_LENGTH, MAX_TODOS } from "./limits.ts";
export type { Todo } from "./rules.ts";
export { getTodo, listTodos, readList } from "./reads.ts";
export { listMarkerKey } from "./keys.ts";
export { type ListAt, setListCacheBudget } from "./list_cache.ts";
export { createTodo, deleteTodo, updateTodo } from "./store.ts";
export { resumePendingBulks, setAllCompleted } from "./bulk.ts";
export {
  clearCompleted,
  deleteTodoUndoably,
  type Deletion,
  getDeletion,
  resumeDeletion,
  undoDeletion,
} from "./deletions.ts";
export { getTodosVersion, type TodosVersion, watchTodosVersion } from "./version.ts";
