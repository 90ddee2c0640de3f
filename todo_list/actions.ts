/**
 * What the todo list (components/TodoListView.tsx) asks of its shell, and what the shell
 * answers: the web page's island acts through the REST API, the MCP App view through the
 * host's `tools/call`.
 */
import type { TodoItem } from "./view.ts";

/** A status message; `undo` is the token of a deletion its Undo button restores. */
export interface Notice {
  text: string;
  undo?: string;
}

/** A change that worked: the whole new list, and for deletions the token that undoes them. */
export interface Answer {
  todos: TodoItem[];
  undo?: { token: string; todos: TodoItem[] };
}

/** A change that did not: the message to show; `todos` is the fresh list when the todo acted on is gone. */
export interface Failure {
  error: string;
  todos?: TodoItem[];
}

/** What an action resolves to; `null` when the shell took over (e.g. went to sign in again). */
export type Outcome = Answer | Failure | null;

/** How the list changes todos. Bulk changes and undo are optional (the page has them). */
export interface TodoActions {
  add(text: string): Promise<Outcome>;
  setCompleted(id: string, completed: boolean): Promise<Outcome>;
  edit(id: string, text: string): Promise<Outcome>;
  delete(id: string): Promise<Outcome>;
  setAllCompleted?(completed: boolean): Promise<Outcome>;
  clearCompleted?(): Promise<Outcome>;
  undo?(token: string): Promise<Outcome>;
}

/** Whether `outcome` is a {@linkcode Failure}. */
export const isFailure = (outcome: Answer | Failure): outcome is Failure => "error" in outcome;
