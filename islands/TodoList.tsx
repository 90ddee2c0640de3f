import { useEffect, useRef, useState } from "preact/hooks";
import type { Todo } from "../lib/todos.ts";

export interface TodoListProps {
  todos: Todo[];
  /** A message from the server (e.g. a no-JS form post that failed). */
  error?: string | null;
}

/** Where a typed todo waits while the person is sent to sign in again (see `apply`). */
const DRAFT_KEY = "todo.draft";

type Change =
  | { action: "add"; text: string }
  | { action: "complete" | "incomplete" | "delete"; id: string }
  | { action: "edit"; id: string; text: string };

/** The API call for a change; every successful answer is the whole list, `{todos}`. */
function request(change: Change): [string, RequestInit] {
  const json = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  switch (change.action) {
    case "add":
      return ["/api/todos", json("POST", { todoText: change.text })];
    case "complete":
      return [`/api/todos/${encodeURIComponent(change.id)}/complete`, { method: "POST" }];
    case "incomplete":
      return [`/api/todos/${encodeURIComponent(change.id)}`, json("PATCH", { completed: false })];
    case "edit":
      return [`/api/todos/${encodeURIComponent(change.id)}`, json("PATCH", { text: change.text })];
    case "delete":
      return [`/api/todos/${encodeURIComponent(change.id)}`, { method: "DELETE" }];
  }
}

/**
 * The todo list. Server-rendered as plain forms that post to `/todoapp` (they work without
 * JavaScript); once hydrated, submits go to the REST API instead and the list updates in place.
 */
export default function TodoList(props: TodoListProps) {
  const [todos, setTodos] = useState(props.todos);
  const [error, setError] = useState(props.error ?? null);
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState("");
  const list = useRef<HTMLDivElement>(null);
  /** Selector of the element to focus once the list has re-rendered (keyboard users keep their place). */
  const focusNext = useRef<string | null>(null);

  useEffect(() => {
    if (focusNext.current === null) return;
    list.current?.querySelector<HTMLElement>(focusNext.current)?.focus();
    focusNext.current = null;
  });

  useEffect(() => {
    // Back from renewing the session: the todo typed before it is still in the input.
    const kept = sessionStorage.getItem(DRAFT_KEY);
    if (kept === null) return;
    sessionStorage.removeItem(DRAFT_KEY);
    setDraft(kept);
    focusNext.current = "#new-todo";
  }, []);

  async function apply(event: Event, change: Change): Promise<boolean> {
    event.preventDefault();
    if (busy) return false;
    setBusy(true);
    try {
      const res = await fetch(...request(change));
      if (res.status === 401) {
        // The session ended (with Stytch, its five-minute JWT expired): sign-in renews it and
        // comes back here. Keep what was being typed; other changes are one click to redo.
        if (change.action === "add") sessionStorage.setItem(DRAFT_KEY, change.text);
        location.assign(`/login?returnTo=${encodeURIComponent(location.pathname)}`);
        return false;
      }
      const body = await res.json().catch(() => null);
      if (!res.ok || !Array.isArray(body?.todos)) {
        setError(body?.error?.message ?? `Request failed (${res.status}).`);
        return false;
      }
      setTodos(body.todos);
      setError(null);
      return true;
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      return false;
    } finally {
      setBusy(false);
    }
  }

  const open = todos.filter((todo) => !todo.completed).length;
  return (
    <div class="todo-list" aria-busy={busy} ref={list}>
      <form
        class="add-form"
        method="post"
        action="/todoapp"
        onSubmit={async (event) => {
          if (await apply(event, { action: "add", text: draft })) setDraft("");
        }}
      >
        <input type="hidden" name="action" value="add" />
        <label class="visually-hidden" for="new-todo">New todo</label>
        <input
          id="new-todo"
          name="text"
          required
          maxLength={500}
          autocomplete="off"
          placeholder="What needs doing?"
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? "todo-error" : undefined}
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
        <button type="submit" class="primary">Add</button>
      </form>
      {error && <p class="error" id="todo-error" role="alert">{error}</p>}
      {todos.length === 0
        ? <p class="empty">Nothing to do yet. Add your first todo above.</p>
        : <p class="count">{open} of {todos.length} left</p>}
      <ul class="todos">
        {todos.map((todo) => (
          <li key={todo.id} class={todo.completed ? "todo done" : "todo"} data-id={todo.id}>
            <form
              method="post"
              action="/todoapp"
              onSubmit={(event) =>
                apply(event, { action: todo.completed ? "incomplete" : "complete", id: todo.id })}
            >
              <input
                type="hidden"
                name="action"
                value={todo.completed ? "incomplete" : "complete"}
              />
              <input type="hidden" name="id" value={todo.id} />
              <button
                type="submit"
                class="check"
                aria-pressed={todo.completed}
                title={todo.completed ? "Mark incomplete" : "Mark complete"}
              >
                <span class="visually-hidden">
                  {todo.completed ? "Mark incomplete" : "Mark complete"}: {todo.text}
                </span>
                <span aria-hidden="true">{todo.completed ? "✓" : ""}</span>
              </button>
            </form>
            <span class="text">{todo.text}</span>
            <details class="edit">
              <summary>
                <span aria-hidden="true">Edit</span>
                <span class="visually-hidden">Edit: {todo.text}</span>
              </summary>
              <form
                method="post"
                action="/todoapp"
                onSubmit={async (event) => {
                  const form = event.currentTarget;
                  const text = String(new FormData(form).get("text") ?? "");
                  if (await apply(event, { action: "edit", id: todo.id, text })) {
                    form.closest("details")?.removeAttribute("open");
                    focusNext.current = `li[data-id="${todo.id}"] summary`;
                  }
                }}
              >
                <input type="hidden" name="action" value="edit" />
                <input type="hidden" name="id" value={todo.id} />
                <label class="visually-hidden" for={`edit-${todo.id}`}>Todo text</label>
                <input
                  id={`edit-${todo.id}`}
                  name="text"
                  required
                  maxLength={500}
                  value={todo.text}
                />
                <button type="submit">Save</button>
              </form>
            </details>
            <form
              method="post"
              action="/todoapp"
              onSubmit={async (event) => {
                // Focus moves to the todo that takes this one's place (or the one before it,
                // or the input when the list is empty) instead of falling back to the page.
                const index = todos.findIndex((other) =>
                  other.id === todo.id
                );
                const neighbour = todos[index + 1] ?? todos[index - 1];
                if (await apply(event, { action: "delete", id: todo.id })) {
                  focusNext.current = neighbour
                    ? `li[data-id="${neighbour.id}"] button.check`
                    : "#new-todo";
                }
              }}
            >
              <input type="hidden" name="action" value="delete" />
              <input type="hidden" name="id" value={todo.id} />
              <button type="submit" class="delete">
                <span aria-hidden="true">Delete</span>
                <span class="visually-hidden">Delete: {todo.text}</span>
              </button>
            </form>
          </li>
        ))}
      </ul>
    </div>
  );
}
