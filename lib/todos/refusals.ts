/**
 * The todo checks and refusals that need no schema: whether a value is shaped like a todo id,
 * and the errors for a todo that does not exist and for a full list. Read paths use these
 * without loading the zod rules (./rules.ts).
 */
import { ConflictError, NotFoundError } from "../errors.ts";
import { ID_PATTERN } from "../ids.ts";
import { MAX_TODOS } from "./limits.ts";

/** Whether `value` has the shape of a todo id. */
export function isTodoId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

/** The message for an id that names none of the user's todos. */
export const noTodoMessage = (todoId: unknown): string =>
  `No todo with id "${String(todoId).slice(0, 64)}".`;

/** The error for an id that names none of the user's todos (malformed ids included). */
export const noTodo = (todoId: unknown): NotFoundError => new NotFoundError(noTodoMessage(todoId));

/** The error for a write that would take the user past {@linkcode MAX_TODOS}. */
export const todoLimitReached = (): ConflictError =>
  new ConflictError(
    "todo_limit_reached",
    `You already have ${MAX_TODOS} todos, the most one account can hold. Delete some first.`,
  );
