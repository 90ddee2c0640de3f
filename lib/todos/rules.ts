/**
 * The todo rules, each declared once as a zod schema: what todo text may be (printable,
 * trimmed, 1 to {@linkcode MAX_TEXT_LENGTH} characters), what a todo id looks like, what a
 * change may carry, and the shape of a stored todo. The store checks its input with them, and
 * every surface derives its own schemas from them: the REST bodies (lib/api/todos.ts), the MCP
 * tools' input and output schemas (lib/mcp/tools.ts), and through their JSON Schema the limits
 * clients see. Browser code takes the numbers from ./limits.ts (no zod in its bundles).
 */
import { z } from "zod";
import { ValidationError } from "../errors.ts";
import { ID_PATTERN } from "../ids.ts";
import { MAX_TEXT_LENGTH } from "./limits.ts";
import { noTodoMessage } from "./refusals.ts";

export { MAX_TEXT_LENGTH };

/** Control characters other than tab and newline, and DEL. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/** Length in characters (code points), as JSON Schema's `maxLength` counts: an emoji is one. */
const characters = (text: string) => [...text].length;

/**
 * Todo text: a string of printable text (tabs and newlines allowed), trimmed, then 1 to
 * {@linkcode MAX_TEXT_LENGTH} characters. Parsing yields the trimmed text.
 */
export const TodoText = z
  .string({ error: `Todo text must be a string of 1 to ${MAX_TEXT_LENGTH} characters.` })
  .refine((text) => !CONTROL_CHARACTERS.test(text) && text.isWellFormed(), {
    error: "Todo text must not contain control characters or broken Unicode.",
    abort: true,
  })
  .trim()
  .min(1, { error: "Todo text must not be empty.", abort: true })
  .refine((text) => characters(text) <= MAX_TEXT_LENGTH, {
    error: (issue) =>
      `Todo text must be at most ${MAX_TEXT_LENGTH} characters (got ${
        characters(String(issue.input))
      }).`,
  })
  // The length check above counts characters, which zod's own `max` does not; say it in the
  // JSON Schema, whose `maxLength` counts characters too.
  .meta({ maxLength: MAX_TEXT_LENGTH });

/** A todo's id: the ULID the store gave it (lib/ids.ts); anything else names no todo. */
export const TodoId = z
  .string({ error: "must be the id of a todo (a string), as listTodos returns it." })
  .regex(ID_PATTERN, { error: (issue) => noTodoMessage(issue.input) });

/** Whether a todo is done. */
export const TodoCompleted = z.boolean({ error: "completed must be true or false." });

/** A change to one todo: new text, a completion state, or both. */
export const TodoChanges = z.strictObject({
  text: TodoText.optional(),
  completed: TodoCompleted.optional(),
}).refine((changes) => changes.text !== undefined || changes.completed !== undefined, {
  error: "Send text, completed, or both.",
});

/** A change to one todo (see {@linkcode TodoChanges}). */
export type TodoChanges = z.input<typeof TodoChanges>;

/** A stored todo. Listing order is creation order (the order of the ids). */
export const Todo = z.object({
  id: TodoId.describe("The todo's id."),
  text: TodoText.describe("What needs doing."),
  completed: TodoCompleted.describe("True once done."),
  createdAt: z.string().describe("When it was created (ISO 8601)."),
  updatedAt: z.string().describe("When it last changed (ISO 8601)."),
});

/** A stored todo (see {@linkcode Todo}); timestamps are ISO 8601. */
export type Todo = z.output<typeof Todo>;

/** `value` checked by `rule`; a failure throws {@linkcode ValidationError} with its first message. */
export function checked<T extends z.ZodType>(rule: T, value: unknown): z.output<T> {
  const result = rule.safeParse(value);
  if (!result.success) throw new ValidationError(result.error.issues[0].message);
  return result.data;
}
