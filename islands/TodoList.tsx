import { useEffect, useRef, useState } from "preact/hooks";
import {
  deletedMessage,
  type Filter,
  FILTERS,
  filterTodos,
  focusAfter,
  pageUrl,
  parseFilter,
  shorten,
  STALE_MESSAGE,
  type TodoItem,
} from "../components/todo_view.ts";
import { useLiveTodos } from "../components/use_live_todos.ts";

/** A status message; `undo` is the token of a deletion its Undo button restores. */
export interface Notice {
  text: string;
  undo?: string;
}

export interface TodoListProps {
  todos: TodoItem[];
  filter: Filter;
  /** Longest todo text the server accepts (lib/todos.ts `MAX_TEXT_LENGTH`). */
  maxLength: number;
  /** A message from the server (e.g. a no-JS form post that failed). */
  error?: string | null;
  notice?: Notice | null;
  /** The todo shown with its edit field (no-JS `?edit=`). */
  editing?: string | null;
  /** The todo to focus on load (no-JS `?at=`, after acting on it); else the new-todo input. */
  focus?: string | null;
}

/** Where a typed todo waits while the person is sent to sign in again (see `apply`). */
const DRAFT_KEY = "todo.draft";
/** How long Undo stays offered after a deletion (longer while it has focus). */
const UNDO_MS = 8000;

type Change =
  | { action: "add"; text: string }
  | { action: "complete" | "incomplete" | "delete"; id: string }
  | { action: "edit"; id: string; text: string }
  | { action: "complete-all" | "incomplete-all" | "clear-completed" }
  | { action: "undo"; token: string };

interface Answer {
  todos: TodoItem[];
  undo?: { token: string; todos: TodoItem[] };
}

/** The API call for a change; every successful answer is the whole list, `{todos}`. */
function request(change: Change): [string, RequestInit] {
  const json = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const one = "id" in change ? `/api/todos/${encodeURIComponent(change.id)}` : "";
  switch (change.action) {
    case "add":
      return ["/api/todos", json("POST", { todoText: change.text })];
    case "complete":
      return [`${one}/complete`, { method: "POST" }];
    case "incomplete":
      return [one, json("PATCH", { completed: false })];
    case "edit":
      return [one, json("PATCH", { text: change.text })];
    case "delete":
      return [one, { method: "DELETE" }];
    case "complete-all":
    case "incomplete-all":
      return ["/api/todos", json("PATCH", { completed: change.action === "complete-all" })];
    case "clear-completed":
      return ["/api/todos?completed=true", { method: "DELETE" }];
    case "undo":
      return ["/api/todos/undo", json("POST", { token: change.token })];
  }
}

const quoted = (text: string) => `“${shorten(text)}”`;

/**
 * The todo list. Server-rendered as plain forms that post to `/todoapp` and links that carry
 * the filter (they work without JavaScript); once hydrated, submits go to the REST API, the
 * filters switch in place, and a polite status region says what happened.
 */
export default function TodoList(props: TodoListProps) {
  // Follows changes made elsewhere (other tabs, agents) over /api/todos/events.
  const [todos, setTodos, fetchLive] = useLiveTodos(props.todos);
  const [filter, setFilter] = useState(props.filter);
  const [error, setError] = useState(props.error ?? null);
  const [notice, setNotice] = useState(props.notice ?? null);
  const [editing, setEditing] = useState(props.editing ?? null);
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState("");
  const root = useRef<HTMLDivElement>(null);
  /** Selector of the element to focus once the list has re-rendered (keyboard users keep their place). */
  const focusNext = useRef<string | null>(null);
  /** Set while an edit is being closed, so the blur that follows does not save it again. */
  const closing = useRef(false);
  const undoTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  /** Renders left to find `focusNext` (state updates can land in more than one render). */
  const focusTries = useRef(0);
  const focusSoon = (selector: string) => {
    focusNext.current = selector;
    focusTries.current = 0;
  };

  useEffect(() => {
    if (focusNext.current === null) return;
    const target = root.current?.querySelector<HTMLElement>(focusNext.current);
    if (!target && ++focusTries.current < 4) return;
    focusNext.current = null;
    focusTries.current = 0;
    target?.focus();
    if (target instanceof HTMLInputElement && target.classList.contains("edit-input")) {
      target.setSelectionRange(target.value.length, target.value.length);
    }
  });

  useEffect(() => {
    // Back from renewing the session: the todo typed before it is still in the input.
    const kept = sessionStorage.getItem(DRAFT_KEY);
    if (kept !== null) {
      sessionStorage.removeItem(DRAFT_KEY);
      setDraft(kept);
      focusSoon("#new-todo");
    }
    // The no-JS parameters (?at, ?edit, ?undo) did their work on load; keep only the filter.
    if (location.search !== new URL(pageUrl(props.filter), location.href).search) {
      history.replaceState(history.state, "", pageUrl(props.filter) + location.hash);
    }
    const onPop = () => setFilter(parseFilter(new URLSearchParams(location.search).get("filter")));
    addEventListener("popstate", onPop);
    return () => {
      removeEventListener("popstate", onPop);
      clearTimeout(undoTimer.current);
    };
  }, []);

  useEffect(() => {
    if (!notice?.undo) return;
    const expire = () => {
      // Never pull the button away from under the keyboard focus: wait until it moves on.
      if (root.current?.querySelector(".status")?.contains(document.activeElement)) {
        undoTimer.current = setTimeout(expire, 2000);
      } else {
        setNotice((current) => current === notice ? null : current);
      }
    };
    undoTimer.current = setTimeout(expire, UNDO_MS);
    return () => clearTimeout(undoTimer.current);
  }, [notice]);

  /** Sends `change` to the API; on success shows the new list and returns the answer. */
  async function apply(change: Change): Promise<Answer | null> {
    if (busy) return null;
    setBusy(true);
    try {
      const res = await fetchLive(...request(change));
      if (res.status === 401) {
        // The session ended (with Stytch, its five-minute JWT expired): sign-in renews it and
        // comes back here. Keep what was being typed; other changes are one click to redo.
        if (change.action === "add") sessionStorage.setItem(DRAFT_KEY, change.text);
        location.assign(`/login?returnTo=${encodeURIComponent(location.pathname)}`);
        return null;
      }
      const body = await res.json().catch(() => null);
      if (res.status === 404 && "id" in change) {
        // Deleted elsewhere (another tab, an agent): say so and drop it here too.
        await staleTodo(change.id);
        return null;
      }
      if (!res.ok || !Array.isArray(body?.todos)) {
        setError(body?.error?.message ?? `Request failed (${res.status}).`);
        return null;
      }
      setTodos(body.todos);
      setError(null);
      return body;
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      return null;
    } finally {
      setBusy(false);
    }
  }

  async function staleTodo(id: string) {
    const fresh = await fetch("/api/todos").then((res) => res.ok ? res.json() : null)
      .catch(() => null);
    const next: TodoItem[] = Array.isArray(fresh?.todos)
      ? fresh.todos
      : todos.filter((todo) => todo.id !== id);
    setTodos(next);
    setEditing(null);
    setNotice(null);
    setError(STALE_MESSAGE);
    focusRow(next, id);
  }

  /** Focuses the todo `id` once rendered, or the one that takes its place, or the input. */
  function focusRow(list: TodoItem[], id: string, view: Filter = filter) {
    const at = focusAfter(list, view, id);
    focusSoon(at ? `#todo-${at} .check` : "#new-todo");
  }

  function showFilter(event: MouseEvent, next: Filter) {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (next === filter) return;
    setFilter(next);
    setEditing(null);
    history.pushState(null, "", pageUrl(next));
    const shown = filterTodos(todos, next).length;
    const label = FILTERS.find((f) => f.filter === next)!.label.toLowerCase();
    setNotice({ text: `Showing ${next === "all" ? "all" : label} todos: ${shown}.` });
  }

  function startEdit(event: Event, id: string) {
    event.preventDefault();
    closing.current = false;
    setEditing(id);
    focusSoon(`#edit-${id}`);
  }

  function stopEdit(id: string, refocus: boolean) {
    closing.current = true;
    setEditing(null);
    if (refocus) focusSoon(`#todo-${id} .edit`);
  }

  async function saveEdit(form: HTMLFormElement, todo: TodoItem, refocus: boolean) {
    if (closing.current) return;
    const text = String(new FormData(form).get("text") ?? "");
    if (text.trim() === todo.text) return stopEdit(todo.id, refocus);
    closing.current = true;
    const answer = await apply({ action: "edit", id: todo.id, text });
    if (!answer) {
      closing.current = false;
      return;
    }
    stopEdit(todo.id, refocus);
    setNotice({ text: `Saved ${quoted(text.trim())}.` });
  }

  async function onRowSubmit(event: SubmitEvent, todo: TodoItem) {
    event.preventDefault();
    const action = (event.submitter as HTMLButtonElement | null)?.value;
    if (action === "delete") {
      const answer = await apply({ action, id: todo.id });
      if (!answer) return;
      focusRow(answer.todos, todo.id);
      setNotice({ text: deletedMessage([todo]), undo: answer.undo?.token });
    } else if (action === "complete" || action === "incomplete") {
      const answer = await apply({ action, id: todo.id });
      if (!answer) return;
      focusRow(answer.todos, todo.id);
      const state = action === "complete" ? "complete" : "not complete";
      setNotice({ text: `Marked ${quoted(todo.text)} ${state}.` });
    }
  }

  async function onBulkSubmit(event: SubmitEvent) {
    event.preventDefault();
    const action = (event.submitter as HTMLButtonElement | null)?.value;
    if (action !== "complete-all" && action !== "incomplete-all" && action !== "clear-completed") {
      return;
    }
    const answer = await apply({ action });
    if (!answer) return;
    if (action === "clear-completed") {
      const gone = answer.undo?.todos ?? [];
      focusSoon("#new-todo");
      setNotice(gone.length ? { text: deletedMessage(gone), undo: answer.undo!.token } : null);
    } else {
      focusSoon(answer.todos.length ? ".bulk button" : "#new-todo");
      const state = action === "complete-all" ? "complete" : "not complete";
      setNotice({ text: `Marked all ${answer.todos.length} todos ${state}.` });
    }
  }

  async function onUndo(event: SubmitEvent, token: string) {
    event.preventDefault();
    const before = new Set(todos.map((todo) => todo.id));
    const answer = await apply({ action: "undo", token });
    if (!answer) return;
    const back = answer.todos.filter((todo) => !before.has(todo.id));
    if (back[0]) focusRow(answer.todos, back[0].id);
    setNotice({
      text: back.length === 1
        ? `Restored ${quoted(back[0].text)}.`
        : `Restored ${back.length} todos.`,
    });
  }

  const open = todos.filter((todo) => !todo.completed).length;
  const done = todos.length - open;
  const shown = filterTodos(todos, filter);
  /** Without JavaScript, a post comes back to the filter it was sent from. */
  const filterField = () =>
    filter !== "all" && <input type="hidden" name="filter" value={filter} />;
  return (
    <div class="todo-list" aria-busy={busy} ref={root}>
      <form
        class="add-form"
        method="post"
        action="/todoapp"
        onSubmit={async (event) => {
          event.preventDefault();
          const text = draft;
          if (await apply({ action: "add", text })) {
            setDraft("");
            setNotice({ text: `Added ${quoted(text.trim())}.` });
          }
        }}
      >
        <input type="hidden" name="action" value="add" />
        {filterField()}
        <label class="visually-hidden" for="new-todo">New todo</label>
        <input
          id="new-todo"
          name="text"
          required
          maxLength={props.maxLength}
          autocomplete="off"
          autofocus={!props.focus && !props.editing}
          placeholder="What needs doing?"
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? "todo-error" : undefined}
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
        <button type="submit" class="primary">Add</button>
      </form>
      {error && <p class="error" id="todo-error" role="alert">{error}</p>}
      <div class="status" role="status">
        {notice && (
          <>
            {notice.text}
            {notice.undo && (
              <form
                method="post"
                action="/todoapp"
                class="undo-form"
                onSubmit={(event) => onUndo(event, notice.undo!)}
              >
                <input type="hidden" name="action" value="undo" />
                <input type="hidden" name="token" value={notice.undo} />
                {filterField()}
                <button type="submit">Undo</button>
              </form>
            )}
          </>
        )}
      </div>
      {todos.length === 0
        ? <p class="empty">Nothing to do yet. Add your first todo above.</p>
        : (
          <div class="toolbar">
            <p class="count">{open} of {todos.length} left</p>
            <nav class="filters" aria-label="Show">
              {FILTERS.map(({ filter: f, label }) => (
                <a
                  key={f}
                  href={pageUrl(f)}
                  aria-current={f === filter ? "page" : undefined}
                  onClick={(event) => showFilter(event, f)}
                >
                  {label}
                </a>
              ))}
            </nav>
            <form
              class="bulk"
              method="post"
              action="/todoapp"
              onSubmit={onBulkSubmit}
            >
              {filterField()}
              <button type="submit" name="action" value={open ? "complete-all" : "incomplete-all"}>
                {open ? "Mark all complete" : "Mark all incomplete"}
              </button>
              {done > 0 && (
                <button type="submit" name="action" value="clear-completed">
                  Clear completed ({done})
                </button>
              )}
            </form>
          </div>
        )}
      {todos.length > 0 && shown.length === 0 && (
        <p class="empty">
          {filter === "active" ? "Nothing left to do." : "Nothing completed yet."}
        </p>
      )}
      <ul class="todos">
        {shown.map((todo) => (
          <li key={todo.id} id={`todo-${todo.id}`} class={todo.completed ? "todo done" : "todo"}>
            {editing === todo.id
              ? (
                <form
                  class="row"
                  method="post"
                  action="/todoapp"
                  onSubmit={(event) => {
                    event.preventDefault();
                    saveEdit(event.currentTarget, todo, true);
                  }}
                >
                  <input type="hidden" name="action" value="edit" />
                  <input type="hidden" name="id" value={todo.id} />
                  {filterField()}
                  <label class="visually-hidden" for={`edit-${todo.id}`}>Edit todo</label>
                  <input
                    id={`edit-${todo.id}`}
                    class="edit-input"
                    name="text"
                    required
                    maxLength={props.maxLength}
                    autocomplete="off"
                    autofocus={props.editing === todo.id}
                    value={todo.text}
                    onKeyDown={(event) => {
                      if (event.key !== "Escape") return;
                      event.preventDefault();
                      stopEdit(todo.id, true); // the row renders the stored text again
                    }}
                    onBlur={(event) => {
                      const form = event.currentTarget.form!;
                      if (form.contains(event.relatedTarget as Node | null)) {
                        return;
                      }
                      saveEdit(form, todo, false); // moving away saves
                    }}
                  />
                  <button type="submit">Save</button>
                  <a
                    class="cancel"
                    href={pageUrl(filter, { at: todo.id }, `todo-${todo.id}`)}
                    onClick={(event) => {
                      event.preventDefault();
                      stopEdit(todo.id, true);
                    }}
                  >
                    Cancel
                  </a>
                </form>
              )
              : (
                <form
                  class="row"
                  method="post"
                  action="/todoapp"
                  onSubmit={(event) => onRowSubmit(event, todo)}
                >
                  <input type="hidden" name="id" value={todo.id} />
                  {filterField()}
                  <button
                    type="submit"
                    class="check"
                    name="action"
                    value={todo.completed ? "incomplete" : "complete"}
                    autofocus={props.focus === todo.id}
                  >
                    <span class="visually-hidden">
                      {todo.completed ? "Mark incomplete" : "Mark complete"}: {todo.text}
                    </span>
                  </button>
                  <span
                    class="text"
                    onDblClick={(event) =>
                      startEdit(event, todo.id)}
                  >
                    {todo.text}
                  </span>
                  <a
                    class="edit"
                    href={pageUrl(filter, { edit: todo.id }, `todo-${todo.id}`)}
                    onClick={(event) =>
                      startEdit(event, todo.id)}
                  >
                    <span aria-hidden="true">Edit</span>
                    <span class="visually-hidden">Edit: {todo.text}</span>
                  </a>
                  <button type="submit" class="delete" name="action" value="delete">
                    <span aria-hidden="true">Delete</span>
                    <span class="visually-hidden">Delete: {todo.text}</span>
                  </button>
                </form>
              )}
          </li>
        ))}
      </ul>
    </div>
  );
}
