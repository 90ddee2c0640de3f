import { useEffect, useMemo, useState } from "preact/hooks";
import type { Notice } from "../todo_list/actions.ts";
import { LiveStatus } from "../components/LiveStatus.tsx";
import { TodoListView } from "../components/TodoListView.tsx";
import { restActions, takeDraft } from "../browser/rest_actions.ts";
import { useLiveTodos } from "../browser/use_live_todos.ts";
import {
  type Filter,
  type PackedTodo,
  pageUrl,
  parseFilter,
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

/**
 * The web page's shell of the todo list (components/TodoListView.tsx): actions call the REST
 * API (browser/rest_actions.ts), the filter lives in the URL, and an ended session is shown
 * (components/LiveStatus.tsx) with a typed todo kept over sign-in. Server-rendered as plain
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

  const actions = restActions(todos, setTodos, fetchLive, live);

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
      restoreDraft={takeDraft}
    />
  );
  return (
    <>
      <LiveStatus status={live.status} onRetry={live.retry} />
      {list}
    </>
  );
}
