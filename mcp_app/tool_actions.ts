/**
 * The todo list's actions (todo_list/actions.ts) in the MCP App view: each a `tools/call`
 * through the host, which sends it to /mcp with the user's own token. A result carries the
 * created, changed or deleted todo; the list shown follows it.
 */
import type { Outcome, TodoActions } from "../todo_list/actions.ts";
import { STALE_MESSAGE, type TodoItem } from "../todo_list/view.ts";
import { type HostClient, resultText, type ToolResult } from "./host_client.ts";

/** Only the fields the list shows; anything else a result carries is dropped. */
export function items(value: unknown): TodoItem[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter((todo) => typeof todo?.id === "string" && typeof todo?.text === "string")
    .map(({ id, text, completed }) => ({ id, text, completed: completed === true }));
}

/** The todo in a tool result (`{todo}` or `{deleted}`), or null. */
function oneTodo(result: ToolResult, key: "todo" | "deleted"): TodoItem | null {
  return items([result.structuredContent?.[key]])?.[0] ?? null;
}

/** What the actions read and change: the list shown, and the whole list asked for again. */
export interface ShownList {
  current(): TodoItem[];
  show(next: TodoItem[]): void;
  reload(): Promise<TodoItem[] | null>;
}

/** The list's actions as tool calls through `host`. */
export function toolActions(host: HostClient, list: ShownList): TodoActions {
  /** Calls a tool; on success applies `change` to the list, else explains (a gone todo too). */
  async function call(
    name: string,
    args: Record<string, unknown>,
    change: (result: ToolResult, todos: TodoItem[]) => TodoItem[] | null,
    id?: string,
  ): Promise<Outcome> {
    let result: ToolResult;
    try {
      result = await host.callTool(name, args);
    } catch (error) {
      return { error: `The app host could not run ${name}: ${(error as Error).message}` };
    }
    const next = result.isError ? null : change(result, list.current());
    if (next) {
      list.show(next);
      return { todos: next };
    }
    if (id !== undefined) {
      // Most often the todo was deleted elsewhere (the page, another chat): check.
      const fresh = await list.reload().catch(() => null);
      if (fresh && !fresh.some((todo) => todo.id === id)) {
        return { error: STALE_MESSAGE, todos: fresh };
      }
    }
    return { error: resultText(result) || `${name} failed.` };
  }

  const replace = (result: ToolResult, todos: TodoItem[]) => {
    const todo = oneTodo(result, "todo");
    return todo && todos.map((old) => old.id === todo.id ? todo : old);
  };
  return {
    add: (text) =>
      call("createTodo", { todoText: text }, (result, todos) => {
        const todo = oneTodo(result, "todo");
        return todo && [...todos, todo];
      }),
    setCompleted: (id, completed) =>
      call(completed ? "markTodoComplete" : "markTodoIncomplete", { todoID: id }, replace, id),
    edit: (id, text) => call("updateTodo", { todoID: id, text }, replace, id),
    delete: (id) =>
      call("deleteTodo", { todoID: id }, (result, todos) => {
        const gone = oneTodo(result, "deleted");
        return gone && todos.filter((todo) => todo.id !== gone.id);
      }, id),
  };
}
