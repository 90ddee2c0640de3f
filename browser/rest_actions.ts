/**
 * The todo list's actions (todo_list/actions.ts) on the web page: each a call of the REST API
 * (lib/api/todos.ts), whose writes answer what changed (browser/todo_answer.ts). A todo typed
 * when the session has ended is kept over the sign-in round trip.
 */
import type { Answer, Outcome, TodoActions } from "../todo_list/actions.ts";
import { STALE_MESSAGE, type TodoItem } from "../todo_list/view.ts";
import { listAfter } from "./todo_answer.ts";
import type { LiveSync } from "./use_live_todos.ts";

/** Where a typed todo waits while the person signs in again (see `send`). */
const DRAFT_KEY = "todo.draft";
const NOT_SAVED_MESSAGE = "Not saved: you were signed out. Sign in again, then save it.";

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});
const one = (id: string) => `/api/todos/${encodeURIComponent(id)}`;

/** Back from renewing the session: the todo typed before it, once (then forgotten). */
export function takeDraft(): string | null {
  const kept = sessionStorage.getItem(DRAFT_KEY);
  sessionStorage.removeItem(DRAFT_KEY);
  return kept;
}

/**
 * The actions for the list `todos` (from `useLiveTodos`): writes go through `fetchLive`, their
 * answers through `setTodos`; a 401 tells `live` the session has ended.
 */
export function restActions(
  todos: TodoItem[],
  setTodos: (list: TodoItem[]) => void,
  fetchLive: typeof fetch,
  live: LiveSync,
): TodoActions {
  /** Sends one API request; on success shows the new list. `id`: the todo it acts on. */
  async function send(url: string, init: RequestInit, id?: string, draft?: string) {
    let res: Response;
    try {
      res = await fetchLive(url, init);
    } catch {
      return { error: "Could not reach the server. Check your connection and try again." };
    }
    if (res.status === 401) {
      // The session has ended (an expired JWT is renewed on the server, so this is a real
      // end): stay, keep what was typed (also over the sign-in round trip), and say so.
      if (draft !== undefined) sessionStorage.setItem(DRAFT_KEY, draft);
      live.signedOut();
      return { error: NOT_SAVED_MESSAGE };
    }
    const body = await res.json().catch(() => null);
    if (res.status === 404 && id !== undefined) {
      // Deleted elsewhere (another tab, an agent): say so and drop it here too.
      const fresh = await fetch("/api/todos").then((r) => r.ok ? r.json() : null).catch(() => null);
      const next: TodoItem[] = Array.isArray(fresh?.todos)
        ? fresh.todos
        : todos.filter((todo) => todo.id !== id);
      setTodos(next);
      return { error: STALE_MESSAGE, todos: next };
    }
    // Writes answer what changed (lib/api/todos.ts); the list shown follows it.
    const next = res.ok ? listAfter(todos, body) : null;
    if (!next) return { error: body?.error?.message ?? `Request failed (${res.status}).` };
    setTodos(next);
    return { ...body, todos: next } as Answer;
  }

  return {
    add: (text): Promise<Outcome> =>
      send("/api/todos", json("POST", { todoText: text }), undefined, text),
    setCompleted: (id, completed) =>
      completed
        ? send(`${one(id)}/complete`, { method: "POST" }, id)
        : send(one(id), json("PATCH", { completed: false }), id),
    edit: (id, text) => send(one(id), json("PATCH", { text }), id),
    delete: (id) => send(one(id), { method: "DELETE" }, id),
    setAllCompleted: (completed) => send("/api/todos", json("PATCH", { completed })),
    clearCompleted: () => send("/api/todos?completed=true", { method: "DELETE" }),
    undo: (token) => send("/api/todos/undo", json("POST", { token })),
  };
}
