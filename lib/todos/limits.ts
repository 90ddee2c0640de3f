/**
 * The numbers of the todo rules (lib/todos/rules.ts builds the rules from them). This file
 * imports nothing, so browser code (the todo list's inputs) can use it without bundling zod.
 */

/** Longest todo text, in characters (Unicode code points), after trimming. */
export const MAX_TEXT_LENGTH = 500;

/** Most todos one account can hold. */
export const MAX_TODOS = 1000;
