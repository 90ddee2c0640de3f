/**
 * Writes to one todo: create, update, delete. Each is one atomic operation checked against the
 * versionstamps it read, retried by lib/kv/retry.ts when a concurrent write wins, and bumps the
 * change marker (./version.ts) in the same operation.
 *
 * Writes that check and rewrite the user's todo count (the key that keeps {@linkcode MAX_TODOS}
 * exact) go through {@linkcode retryCountWrite}: within one isolate they take turns per user
 * (lib/kv/turns.ts), so one person's many concurrent writers queue for a millisecond or two
 * instead of losing commits to each other and backing off; writers in other isolates can still
 * win a race, and the jittered retries resolve those.
 */
import { newId } from "../ids.ts";
import { lazyImport } from "../lazy_import.ts";
import { RETRY, retryOnConflict } from "../kv/retry.ts";
import { inTurn } from "../kv/turns.ts";
import { todoCountKey, todoKey } from "./keys.ts";
import { readTodo } from "./reads.ts";
import { MAX_TODOS } from "./limits.ts";
import { todoLimitReached } from "./refusals.ts";
import type { Todo, TodoChanges } from "./rules.ts";
import { withChange } from "./version.ts";
import { commitNoted } from "../kv/local_changes.ts";

/** The zod rules (./rules.ts), loaded on the first write: reads and start-up do without them. */
export const todoRules = lazyImport(() => import("./rules.ts"));

/** What a lost race is about, in `WriteConflictError` messages. */
export const CONTENDED = "the todo list";

/**
 * Runs a read-modify-write of `userId`'s todo count with retries, in turn with this isolate's
 * other writes of that count (on the same KV handle).
 */
export function retryCountWrite<T>(
  kv: Deno.Kv,
  userId: string,
  attempt: (attemptNumber: number) => Promise<T | typeof RETRY>,
): Promise<T> {
  return inTurn(kv, userId, () => retryOnConflict(CONTENDED, attempt));
}

/**
 * Creates an open todo from `text` (checked and trimmed by {@linkcode TodoText}); throws
 * `ValidationError` for bad text and `ConflictError` once the user has {@linkcode MAX_TODOS}.
 */
export async function createTodo(kv: Deno.Kv, userId: string, text: unknown): Promise<Todo> {
  const { checked, TodoText } = await todoRules();
  const cleanText = checked(TodoText, text);
  return await retryCountWrite(kv, userId, async () => {
    const count = await kv.get<Deno.KvU64>(todoCountKey(userId));
    const current = count.value?.value ?? 0n;
    if (current >= BigInt(MAX_TODOS)) throw todoLimitReached();
    const now = new Date();
    const todo: Todo = {
      id: newId(now.getTime()),
      text: cleanText,
      completed: false,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const key = todoKey(userId, todo.id);
    const op = withChange(kv.atomic(), userId)
      .check(count)
      .check({ key, versionstamp: null })
      .set(key, todo)
      .set(todoCountKey(userId), new Deno.KvU64(current + 1n));
    const result = await commitNoted(kv, userId, op);
    return result.ok ? todo : RETRY;
  });
}

/** Applies `changes` (new text and/or completion state, see {@linkcode TodoChanges}) to a todo. */
export async function updateTodo(
  kv: Deno.Kv,
  userId: string,
  todoId: string,
  changes: TodoChanges,
): Promise<Todo> {
  const { checked, TodoChanges } = await todoRules();
  const { text, completed } = checked(TodoChanges, changes);
  return await retryOnConflict(CONTENDED, async () => {
    const entry = await readTodo(kv, userId, todoId);
    const todo: Todo = {
      ...entry.value,
      text: text ?? entry.value.text,
      completed: completed ?? entry.value.completed,
      updatedAt: new Date().toISOString(),
    };
    const op = withChange(kv.atomic(), userId).check(entry).set(entry.key, todo);
    const result = await commitNoted(kv, userId, op);
    return result.ok ? todo : RETRY;
  });
}

/** Deletes a todo for good and returns what it was; `NotFoundError` for unknown ids. */
export async function deleteTodo(kv: Deno.Kv, userId: string, todoId: string): Promise<Todo> {
  return await retryCountWrite(kv, userId, async () => {
    const [entry, count] = await Promise.all([
      readTodo(kv, userId, todoId),
      kv.get<Deno.KvU64>(todoCountKey(userId)),
    ]);
    const current = count.value?.value ?? 1n;
    const op = withChange(kv.atomic(), userId)
      .check(entry)
      .check(count)
      .delete(entry.key)
      .set(todoCountKey(userId), new Deno.KvU64(current > 0n ? current - 1n : 0n));
    const result = await commitNoted(kv, userId, op);
    return result.ok ? entry.value : RETRY;
  });
}
