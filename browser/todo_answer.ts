/**
 * How the page's list follows a REST write (lib/api/todos.ts): writes answer what they changed, not
 * the whole list, so the island applies the change to the list it shows.
 */
import type { TodoItem } from "../todo_list/view.ts";

/** A successful answer of the REST API to a write. */
export interface WriteAnswer {
  /** The whole list (`PATCH /todos`, `POST /todos/undo`). */
  todos?: TodoItem[];
  /** The created or changed todo. */
  todo?: TodoItem;
  /** A deletion: the token that undoes it and the deleted todos. */
  undo?: { token: string; todos: TodoItem[] };
}

/**
 * The list after a write that answered `answer`: the list it carries, else `list` with the
 * created or changed todo in its place (ids sort by creation), else `list` without the deleted
 * todos; `null` when the answer has none of these shapes.
 */
export function listAfter(list: TodoItem[], answer: unknown): TodoItem[] | null {
  if (typeof answer !== "object" || answer === null) return null;
  const { todos, todo, undo } = answer as WriteAnswer;
  if (Array.isArray(todos)) return todos.map(item);
  if (isTodo(todo)) {
    const at = list.findIndex((other) => other.id >= todo.id);
    if (at === -1) return [...list, item(todo)];
    return list.toSpliced(at, list[at].id === todo.id ? 1 : 0, item(todo));
  }
  if (Array.isArray(undo?.todos)) {
    const gone = new Set(undo.todos.map((deleted) => deleted?.id));
    return list.filter((other) => !gone.has(other.id));
  }
  return null;
}

/** Only the fields the page shows. */
const item = ({ id, text, completed }: TodoItem): TodoItem => ({ id, text, completed });

function isTodo(value: unknown): value is TodoItem {
  const todo = value as TodoItem | null | undefined;
  return typeof todo?.id === "string" && typeof todo.text === "string" &&
    typeof todo.completed === "boolean";
}
