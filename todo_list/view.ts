/**
 * What the todo page shows, shared by the server route and the TodoList island: the filters,
 * the page URLs that carry them, and the status messages.
 */

/** A todo as the page needs it (the island's props carry only these fields). */
export interface TodoItem {
  id: string;
  text: string;
  completed: boolean;
}

/**
 * A todo as the page's island props carry it, `[id, text, completed]`: a page of hundreds of
 * todos sends each one's text twice (markup and props), so the props drop the field names.
 */
export type PackedTodo = [id: string, text: string, completed: 0 | 1];

/** The todos as {@linkcode PackedTodo}s. */
export const packTodos = (todos: readonly TodoItem[]): PackedTodo[] =>
  todos.map(({ id, text, completed }) => [id, text, completed ? 1 : 0]);

/** The todos {@linkcode packTodos} packed. */
export const unpackTodos = (packed: readonly PackedTodo[]): TodoItem[] =>
  packed.map(([id, text, completed]) => ({ id, text, completed: completed === 1 }));

export type Filter = "all" | "active" | "completed";

/** The filter links, in order, with their labels. */
export const FILTERS: readonly { filter: Filter; label: string }[] = [
  { filter: "all", label: "All" },
  { filter: "active", label: "Active" },
  { filter: "completed", label: "Completed" },
];

/** The filter named by `?filter=` (anything unknown is "all"). */
export function parseFilter(value: string | null | undefined): Filter {
  return value === "active" || value === "completed" ? value : "all";
}

/** The todos a filter shows, in list (creation) order. */
export function filterTodos<T extends TodoItem>(todos: T[], filter: Filter): T[] {
  if (filter === "all") return todos;
  return todos.filter((todo) => todo.completed === (filter === "completed"));
}

/**
 * The page URL for `filter` plus optional query parameters (`edit`, `at`, `undo`) and a
 * fragment; `filter=all` is left out so `/todoapp` stays the plain address.
 */
export function pageUrl(
  filter: Filter,
  params: Record<string, string | null | undefined> = {},
  fragment?: string,
): string {
  // Built as a string: the page renders one per row, and a `URLSearchParams` cost about 1.5 µs
  // each (some 150 µs of a 100-todo page). Names and values are percent-encoded all the same.
  let search = filter === "all" ? "" : `?filter=${filter}`;
  for (const [name, value] of Object.entries(params)) {
    if (value) {
      search += `${search ? "&" : "?"}${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
    }
  }
  return `/todoapp${search}${fragment ? `#${fragment}` : ""}`;
}

/**
 * Where focus goes after `id` changed or left the view: the todo itself if `filter` still
 * shows it, else the next shown todo in creation order (ULIDs sort by it), else the one
 * before, else `null` (the new-todo input).
 */
export function focusAfter(todos: TodoItem[], filter: Filter, id: string): string | null {
  const shown = filterTodos(todos, filter);
  if (shown.some((todo) => todo.id === id)) return id;
  return (shown.find((todo) => todo.id > id) ?? shown.findLast((todo) => todo.id < id))?.id ??
    null;
}

/** The status message after `text` was added. */
export const addedMessage = (text: string): string => `Added “${shorten(text)}”.`;

/** The status message after a deletion of `todos`. */
export function deletedMessage(todos: { text: string }[]): string {
  return todos.length === 1
    ? `Deleted “${shorten(todos[0].text)}”.`
    : `Deleted ${todos.length} completed todos.`;
}

/** The message when a todo acted on was deleted elsewhere (another tab, an agent). */
export const STALE_MESSAGE =
  "That todo was deleted elsewhere (in another tab or by an app), so it is gone from your list.";

/** Todo text cut to a length that reads well in a message. */
export function shorten(text: string, max = 60): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}
