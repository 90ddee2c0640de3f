/**
 * The todo store: the only module that reads or writes todos in Deno KV.
 *
 * Layout: `["todos", userId, todoId] -> Todo` (one key per todo; ULID ids sort by creation)
 * and `["todo_count", userId] -> Deno.KvU64`, the count that enforces {@linkcode MAX_TODOS}.
 * Every change is one atomic operation checked against the versionstamps it read.
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

/** KV key of one todo. */
export const todoKey = (userId: string, todoId: string): Deno.KvKey => ["todos", userId, todoId];
/** KV key prefix of all of a user's todos. */
export const todosPrefix = (userId: string): Deno.KvKey => ["todos", userId];
/** KV key of a user's todo count. */
export const todoCountKey = (userId: string): Deno.KvKey => ["todo_count", userId];

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

/** Incomplete first, then oldest first (ids sort by creation time). */
export function sortTodos(todos: Todo[]): Todo[] {
  return todos.toSorted((a, b) =>
    Number(a.completed) - Number(b.completed) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Lists a user's todos, incomplete first, then oldest first. */
export async function listTodos(kv: Deno.Kv, userId: string): Promise<Todo[]> {
  const todos: Todo[] = [];
  for await (const entry of kv.list<Todo>({ prefix: todosPrefix(userId) }, { batchSize: 500 })) {
    todos.push(entry.value);
  }
  return sortTodos(todos);
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
    if (current >= BigInt(MAX_TODOS)) {
      throw new ConflictError(
        "todo_limit_reached",
        `You already have ${MAX_TODOS} todos, the most one account can hold. Delete some first.`,
      );
    }
    const now = new Date();
    const todo: Todo = {
      id: newId(now.getTime()),
      text: cleanText,
      completed: false,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const key = todoKey(userId, todo.id);
    const result = await kv.atomic()
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
    const result = await kv.atomic().check(entry).set(entry.key, todo).commit();
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
    const result = await kv.atomic().check(entry).set(entry.key, todo).commit();
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
    const result = await kv.atomic()
      .check(entry)
      .check(count)
      .delete(entry.key)
      .set(todoCountKey(userId), new Deno.KvU64(current > 0n ? current - 1n : 0n))
      .commit();
    return result.ok ? entry.value : null;
  });
}

async function readTodo(
  kv: Deno.Kv,
  userId: string,
  todoId: string,
): Promise<Deno.KvEntry<Todo>> {
  const notFound = () => new NotFoundError(`No todo with id "${String(todoId).slice(0, 64)}".`);
  if (typeof todoId !== "string" || !isId(todoId)) throw notFound();
  const entry = await kv.get<Todo>(todoKey(userId, todoId));
  if (entry.versionstamp === null) throw notFound();
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
