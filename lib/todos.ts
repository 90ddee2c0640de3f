/**
 * The todo store: the only module that reads or writes todos in Deno KV.
 *
 * Layout: `["todos", userId, todoId] -> Todo` (one key per todo; ULID ids sort by creation)
 * and `["todo_count", userId] -> Deno.KvU64`, the count that enforces {@linkcode MAX_TODOS}.
 * Deletions from the web page can be undone for {@linkcode UNDO_WINDOW_MS}: the todos wait
 * under `["todos_deleted", userId, todoId]` and `["todos_undo", userId]` names the last one.
 * Every change is one atomic operation checked against the versionstamps it read; bulk changes
 * are bounded batches of such operations ({@linkcode BULK_BATCH_SIZE}).
 *
 * Live changes: every committed change also adds 1 to `["todo_changes", userId] -> Deno.KvU64`
 * in the same atomic operation ({@linkcode todoChangesKey}). Open pages and MCP listen streams
 * `kv.watch` that key (lib/live/). A sum needs no check, so concurrent writes never conflict
 * over it, and its value is the user's change count: a version that only grows.
 */
import { ConflictError, NotFoundError, ValidationError } from "./errors.ts";
import { isId, newId } from "./ids.ts";

export interface Todo {
  id: string;
  text: string;
  completed: boolean;
  /** ISO 8601 timestamps. */
  createdAt: string;
  updatedAt: string;
}

export interface TodoChanges {
  text?: string;
  completed?: boolean;
}

export const MAX_TEXT_LENGTH = 500;
export const MAX_TODOS = 1000;
/** How many times a write is attempted when its checks fail because of a concurrent write. */
export const MAX_ATTEMPTS = 25;

/**
 * How long a deletion made on the web page can be undone. The page offers Undo for a few
 * seconds (without JavaScript, until the next action); the server keeps the todos this long.
 */
export const UNDO_WINDOW_MS = 10 * 60_000;
/**
 * Todos per atomic operation in bulk changes. Deno KV allows 100 checks, 1000 mutations and
 * 800 KB per atomic operation; a batch checks each todo it changes (restoring checks two keys
 * per todo) plus the count, and a todo is at most ~2 KB, so 49 todos fit every kind of batch.
 */
export const BULK_BATCH_SIZE = 49;

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
/** KV key of a user's change marker: how many changes their todos have had (see above). */
export const todoChangesKey = (userId: string): Deno.KvKey => ["todo_changes", userId];

/** Adds the change-marker bump to `op`: every write path commits through here. */
function withChange(op: Deno.AtomicOperation, userId: string): Deno.AtomicOperation {
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

/** Control characters other than tab and newline, and DEL. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/** Trims and checks todo text: 1 to {@linkcode MAX_TEXT_LENGTH} characters of printable text. */
export function normalizeText(text: unknown): string {
  if (typeof text !== "string") throw new ValidationError("Todo text must be a string.");
  if (CONTROL_CHARACTERS.test(text) || !text.isWellFormed()) {
    throw new ValidationError("Todo text must not contain control characters or broken Unicode.");
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new ValidationError("Todo text must not be empty.");
  const length = [...trimmed].length;
  if (length > MAX_TEXT_LENGTH) {
    throw new ValidationError(
      `Todo text must be at most ${MAX_TEXT_LENGTH} characters (got ${length}).`,
    );
  }
  return trimmed;
}

/**
 * Lists a user's todos in creation order (the key order of their ULIDs): completing or
 * editing a todo never moves it, so a person working down the list keeps their place.
 */
export async function listTodos(kv: Deno.Kv, userId: string): Promise<Todo[]> {
  return (await listEntries(kv, userId)).map((entry) => entry.value);
}

async function listEntries(kv: Deno.Kv, userId: string): Promise<Deno.KvEntry<Todo>[]> {
  const entries: Deno.KvEntry<Todo>[] = [];
  for await (const entry of kv.list<Todo>({ prefix: todosPrefix(userId) }, { batchSize: 500 })) {
    entries.push(entry);
  }
  return entries;
}

/** Returns one of a user's todos, or throws {@linkcode NotFoundError}. */
export async function getTodo(kv: Deno.Kv, userId: string, todoId: string): Promise<Todo> {
  return (await readTodo(kv, userId, todoId)).value;
}

/** Creates a todo; throws when the text is invalid or the user already has {@linkcode MAX_TODOS}. */
export async function createTodo(kv: Deno.Kv, userId: string, text: unknown): Promise<Todo> {
  const cleanText = normalizeText(text);
  return await commitWithRetry(async () => {
    const count = await kv.get<Deno.KvU64>(todoCountKey(userId));
    const current = count.value?.value ?? 0n;
    if (current >= BigInt(MAX_TODOS)) throw limitReached();
    const now = new Date();
    const todo: Todo = {
      id: newId(now.getTime()),
      text: cleanText,
      completed: false,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const key = todoKey(userId, todo.id);
    const result = await withChange(kv.atomic(), userId)
      .check(count)
      .check({ key, versionstamp: null })
      .set(key, todo)
      .set(todoCountKey(userId), new Deno.KvU64(current + 1n))
      .commit();
    return result.ok ? todo : null;
  });
}

/** Applies `changes` (new text and/or completion state) to a todo and returns it. */
export async function updateTodo(
  kv: Deno.Kv,
  userId: string,
  todoId: string,
  changes: TodoChanges,
): Promise<Todo> {
  const text = changes.text === undefined ? undefined : normalizeText(changes.text);
  if (changes.completed !== undefined && typeof changes.completed !== "boolean") {
    throw new ValidationError("completed must be true or false.");
  }
  return await commitWithRetry(async () => {
    const entry = await readTodo(kv, userId, todoId);
    const todo: Todo = {
      ...entry.value,
      text: text ?? entry.value.text,
      completed: changes.completed ?? entry.value.completed,
      updatedAt: new Date().toISOString(),
    };
    const result = await withChange(kv.atomic(), userId).check(entry).set(entry.key, todo)
      .commit();
    return result.ok ? todo : null;
  });
}

/** Flips a todo between complete and incomplete, atomically, and returns it. */
export async function toggleTodo(kv: Deno.Kv, userId: string, todoId: string): Promise<Todo> {
  return await commitWithRetry(async () => {
    const entry = await readTodo(kv, userId, todoId);
    const todo: Todo = {
      ...entry.value,
      completed: !entry.value.completed,
      updatedAt: new Date().toISOString(),
    };
    const result = await withChange(kv.atomic(), userId).check(entry).set(entry.key, todo)
      .commit();
    return result.ok ? todo : null;
  });
}

/** Deletes a todo and returns what it was; throws {@linkcode NotFoundError} for unknown ids. */
export async function deleteTodo(kv: Deno.Kv, userId: string, todoId: string): Promise<Todo> {
  return await commitWithRetry(async () => {
    const [entry, count] = await Promise.all([
      readTodo(kv, userId, todoId),
      kv.get<Deno.KvU64>(todoCountKey(userId)),
    ]);
    const current = count.value?.value ?? 1n;
    const result = await withChange(kv.atomic(), userId)
      .check(entry)
      .check(count)
      .delete(entry.key)
      .set(todoCountKey(userId), new Deno.KvU64(current > 0n ? current - 1n : 0n))
      .commit();
    return result.ok ? entry.value : null;
  });
}

/**
 * Deletes a todo so that {@linkcode undoDeletion} can bring it back (same id, so same place)
 * within {@linkcode UNDO_WINDOW_MS}; throws {@linkcode NotFoundError} for unknown ids.
 */
export async function deleteTodoUndoably(
  kv: Deno.Kv,
  userId: string,
  todoId: string,
): Promise<Deletion> {
  if (typeof todoId !== "string" || !isId(todoId)) throw notFound(todoId);
  const deletion = await deleteUndoably(kv, userId, [todoId]);
  if (deletion.todos.length === 0) throw notFound(todoId);
  return deletion;
}

/** Deletes every completed todo, undoably, in batches of atomic operations. */
export async function clearCompleted(kv: Deno.Kv, userId: string): Promise<Deletion> {
  const ids = (await listTodos(kv, userId)).filter((todo) => todo.completed).map((t) => t.id);
  // A todo reopened meanwhile (another tab, an agent) stays.
  return await deleteUndoably(kv, userId, ids, (todo) => todo.completed);
}

/**
 * Marks every todo complete (or incomplete) in batches of {@linkcode BULK_BATCH_SIZE}, each
 * one atomic operation checked against what it read; returns how many todos changed.
 */
export async function setAllCompleted(
  kv: Deno.Kv,
  userId: string,
  completed: boolean,
): Promise<number> {
  if (typeof completed !== "boolean") throw new ValidationError("completed must be true or false.");
  const ids = (await listTodos(kv, userId)).filter((t) => t.completed !== completed).map((t) =>
    t.id
  );
  let changed = 0;
  for (const batch of chunks(ids, BULK_BATCH_SIZE)) {
    changed += await commitWithRetry(async () => {
      const entries = (await readTodos(kv, userId, batch))
        .filter((entry) => entry.value.completed !== completed);
      if (entries.length === 0) return 0; // changed elsewhere meanwhile: nothing to commit
      const updatedAt = new Date().toISOString();
      const op = withChange(kv.atomic(), userId);
      for (const entry of entries) {
        op.check(entry).set(entry.key, { ...entry.value, completed, updatedAt });
      }
      return (await op.commit()).ok ? entries.length : null;
    });
  }
  return changed;
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
 * the todos come back with their ids, text and state, so in their old places.
 */
export async function undoDeletion(kv: Deno.Kv, userId: string, token: unknown): Promise<Todo[]> {
  const first = await readDeletion(kv, userId, token);
  if (!first.value) {
    throw new NotFoundError(
      "There is nothing to undo: that deletion is too old or another one came after it.",
    );
  }
  const batches = chunks(first.value.ids, BULK_BATCH_SIZE);
  const restored: Todo[] = [];
  for (const [index, batch] of batches.entries()) {
    const last = index === batches.length - 1;
    restored.push(
      ...await commitWithRetry(async () => {
        const [kept, count, record] = await Promise.all([
          getManyEntries<Todo>(kv, batch.map((id) => deletedTodoKey(userId, id))),
          kv.get<Deno.KvU64>(todoCountKey(userId)),
          kv.get<DeletionRecord>(lastDeletionKey(userId)),
        ]);
        const current = count.value?.value ?? 0n;
        if (current + BigInt(kept.length) > BigInt(MAX_TODOS)) throw limitReached();
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
        return (await op.commit()).ok ? kept.map((entry) => entry.value) : null;
      }),
    );
  }
  return restored;
}

async function deleteUndoably(
  kv: Deno.Kv,
  userId: string,
  ids: string[],
  select: (todo: Todo) => boolean = () => true,
): Promise<Deletion> {
  const token = newId();
  const deleted: Todo[] = [];
  for (const batch of chunks(ids, BULK_BATCH_SIZE)) {
    const removed = await commitWithRetry(async () => {
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
        ids: [...deleted, ...entries.map((entry) => entry.value)].map((todo) => todo.id),
        at: Date.now(),
      };
      const op = withChange(kv.atomic(), userId).check(count);
      for (const entry of entries) {
        op.check(entry).delete(entry.key)
          .set(deletedTodoKey(userId, entry.value.id), entry.value, { expireIn: UNDO_WINDOW_MS });
      }
      op.set(todoCountKey(userId), new Deno.KvU64(current > removing ? current - removing : 0n))
        .set(lastDeletionKey(userId), record, { expireIn: UNDO_WINDOW_MS });
      return (await op.commit()).ok ? entries.map((entry) => entry.value) : null;
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

/** The existing todos among `ids`, in the order given. */
function readTodos(kv: Deno.Kv, userId: string, ids: string[]): Promise<Deno.KvEntry<Todo>[]> {
  return getManyEntries<Todo>(kv, ids.map((id) => todoKey(userId, id)));
}

/** Reads `keys` (any number; `getMany` takes 10 at a time) and keeps the ones that exist. */
async function getManyEntries<T>(kv: Deno.Kv, keys: Deno.KvKey[]): Promise<Deno.KvEntry<T>[]> {
  const parts = await Promise.all(chunks(keys, 10).map((part) => kv.getMany<T[]>(part)));
  return parts.flat().filter((entry): entry is Deno.KvEntry<T> => entry.versionstamp !== null);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const notFound = (todoId: unknown) =>
  new NotFoundError(`No todo with id "${String(todoId).slice(0, 64)}".`);

const limitReached = () =>
  new ConflictError(
    "todo_limit_reached",
    `You already have ${MAX_TODOS} todos, the most one account can hold. Delete some first.`,
  );

async function readTodo(
  kv: Deno.Kv,
  userId: string,
  todoId: string,
): Promise<Deno.KvEntry<Todo>> {
  if (typeof todoId !== "string" || !isId(todoId)) throw notFound(todoId);
  const entry = await kv.get<Todo>(todoKey(userId, todoId));
  if (entry.versionstamp === null) throw notFound(todoId);
  return entry;
}

/**
 * Runs `attempt` until it returns a value (its atomic commit succeeded) or
 * {@linkcode MAX_ATTEMPTS} runs have lost to concurrent writes, backing off with jitter.
 */
async function commitWithRetry<T>(attempt: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const value = await attempt();
    if (value !== null) return value;
    const ceiling = Math.min(2 ** i, 50);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
  }
  throw new ConflictError(
    "write_conflict",
    "The todo list changed too many times at once; try again.",
  );
}
