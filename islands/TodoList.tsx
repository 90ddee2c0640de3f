import { useEffect, useMemo, useState } from "preact/hooks";
import type { Answer, Notice, Outcome, TodoActions } from "../todo_list/actions.ts";
import { LiveStatus } from "../components/LiveStatus.tsx";
import { TodoListView } from "../components/TodoListView.tsx";
import { listAfter } from "../browser/todo_answer.ts";
import { useLiveTodos } from "../browser/use_live_todos.ts";
import {
  type Filter,
  type PackedTodo,
  pageUrl,
  parseFilter,
  STALE_MESSAGE,
  type TodoItem,
  unpackTodos,
} from "../todo_list/view.ts";

export type { Notice };

export interface TodoListProps {
  /** The list at render time (`packTodos`: the page may hold hundreds). */
  todos: PackedTodo[];
  filter: Filter;
  /** Longest todo text the server accepts (lib/todos/limits.ts `MAX_TEXT_LENGTH`). */
  maxLength: number;
  /** A message from the server (e.g. a no-JS form post that failed). */
  error?: string | null;
  notice?: Notice | null;
  /** The todo shown with its edit field (no-JS `?edit=`). */
  editing?: string | null;
  /** The todo to focus on load (no-JS `?at=`, after acting on it); else the new-todo input. */
  focus?: string | null;
}

/** Where a typed todo waits while the person signs in again (see `send`). */
const DRAFT_KEY = "todo.draft";
const NOT_SAVED_MESSAGE = "Not saved: you were signed out. Sign in again, then save it.";

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});
const one = (id: string) => `/api/todos/${encodeURIComponent(id)}`;

/**
 * The web page's shell of the todo list (components/TodoListView.tsx): actions call the REST
 * API (writes answer what changed, see browser/todo_answer.ts), the filter lives in the URL, and
 * an ended session is shown (components/LiveStatus.tsx) with a typed todo kept over sign-in. Server-rendered as plain
 * forms that post to `/todoapp`, so the page works without JavaScript.
 */
export default function TodoList(props: TodoListProps) {
  // Follows changes made elsewhere (other tabs, agents) over /api/todos/events.
  const initial = useMemo(() => unpackTodos(props.todos), []);
  const [todos, setTodos, fetchLive, live] = useLiveTodos(initial);
  const [filter, setFilter] = useState(props.filter);

  useEffect(() => {
    // The no-JS parameters (?at, ?edit, ?undo, ?added) did their work on load; keep only the filter.
    if (location.search !== new URL(pageUrl(props.filter), location.href).search) {
      history.replaceState(history.state, "", pageUrl(props.filter) + location.hash);
    }
    const onPop = () => setFilter(parseFilter(new URLSearchParams(location.search).get("filter")));
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);

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

  const actions: TodoActions = {
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

  const list = (
    <TodoListView
      todos={todos}
      actions={actions}
      filter={filter}
      onFilter={(next) => {
        setFilter(next);
        history.pushState(null, "", pageUrl(next));
      }}
      maxLength={props.maxLength}
      error={props.error}
      notice={props.notice}
      editing={props.editing}
      focus={props.focus}
      formAction="/todoapp"
      href={pageUrl}
      restoreDraft={() => {
        // Back from renewing the session: the todo typed before it is still in the input.
        const kept = sessionStorage.getItem(DRAFT_KEY);
        sessionStorage.removeItem(DRAFT_KEY);
        return kept;
      }}
    />
  );
  return (
    <>
      <LiveStatus status={live.status} onRetry={live.retry} />
      {list}
    </>
  );
}
