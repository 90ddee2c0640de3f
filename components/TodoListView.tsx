/**
 * The todo list UI, one component for two shells: the web page's island (islands/TodoList.tsx,
 * REST-backed) and the MCP App view (mcp_app/view.tsx, backed by the host's `tools/call`).
 * It owns only UI state (editing, notices, focus, the draft); the shell owns the todos and
 * the filter and acts through `actions`, whose answers say what happened.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import {
  deletedMessage,
  type Filter,
  FILTERS,
  filterTodos,
  focusAfter,
  pageUrl,
  shorten,
  type TodoItem,
} from "./todo_view.ts";

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

export interface TodoListViewProps {
  todos: TodoItem[];
  actions: TodoActions;
  filter: Filter;
  /** Called when the person picks another filter (the shell keeps it, e.g. in the URL). */
  onFilter(next: Filter): void;
  /** Longest todo text the server accepts (lib/todos.ts `MAX_TEXT_LENGTH`). */
  maxLength: number;
  error?: string | null;
  notice?: Notice | null;
  /** The todo shown with its edit field (no-JS `?edit=`). */
  editing?: string | null;
  /** The todo to focus on load (no-JS `?at=`); else the new-todo input, if `autofocus`. */
  focus?: string | null;
  /** Focus the new-todo input on load (the page does; an embedded view must not). */
  autofocus?: boolean;
  /** Where the forms post without JavaScript (the page's `/todoapp`); omitted: no fallback. */
  formAction?: string;
  /** Link targets of the filters and the edit/cancel links (the page's `pageUrl`). */
  href?: (filter: Filter, params?: Record<string, string>) => string;
  /** Read once after mount: a draft to put back into the new-todo input. */
  restoreDraft?: () => string | null;
}

/** How long Undo stays offered after a deletion (longer while it has focus). */
const UNDO_MS = 8000;

const quoted = (text: string) => `“${shorten(text)}”`;
const isFailure = (outcome: Answer | Failure): outcome is Failure => "error" in outcome;

/**
 * The todo list: forms and links that also work without JavaScript (when `formAction` and
 * `href` are given); once hydrated, submits go through `actions`, the filters switch in place,
 * and a polite status region says what happened.
 */
export function TodoListView(props: TodoListViewProps) {
  const { todos, filter, actions } = props;
  const href = props.href ?? pageUrl;
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
    const kept = props.restoreDraft?.();
    if (kept != null) {
      setDraft(kept);
      focusSoon("#new-todo");
    }
    return () => clearTimeout(undoTimer.current);
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

  /** Runs one action; on success returns its answer, else shows why and returns null. */
  async function apply(act: () => Promise<Outcome>, id?: string): Promise<Answer | null> {
    if (busy) return null;
    setBusy(true);
    try {
      const outcome = await act();
      if (outcome === null) return null;
      if (isFailure(outcome)) {
        if (outcome.todos && id !== undefined) {
          // The todo is gone (deleted in another tab, or by an agent): the list is fresh.
          setEditing(null);
          setNotice(null);
          focusRow(outcome.todos, id);
        }
        setError(outcome.error);
        return null;
      }
      setError(null);
      return outcome;
    } catch (caught) {
      setError(`Something went wrong: ${caught instanceof Error ? caught.message : caught}`);
      return null;
    } finally {
      setBusy(false);
    }
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
    props.onFilter(next);
    setEditing(null);
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
    const answer = await apply(() => actions.edit(todo.id, text), todo.id);
    if (!answer) {
      closing.current = false;
      return;
    }
    stopEdit(todo.id, refocus);
    setNotice({ text: `Saved ${quoted(text.trim())}.` });
  }

  async function onRowSubmit(todo: TodoItem, action: string | undefined) {
    if (action === "delete") {
      const answer = await apply(() => actions.delete(todo.id), todo.id);
      if (!answer) return;
      focusRow(answer.todos, todo.id);
      setNotice({ text: deletedMessage([todo]), undo: answer.undo?.token });
    } else if (action === "complete" || action === "incomplete") {
      const completed = action === "complete";
      const answer = await apply(() => actions.setCompleted(todo.id, completed), todo.id);
      if (!answer) return;
      focusRow(answer.todos, todo.id);
      setNotice({
        text: `Marked ${quoted(todo.text)} ${completed ? "complete" : "not complete"}.`,
      });
    }
  }

  async function onBulkSubmit(action: string | undefined) {
    if (action === "clear-completed" && actions.clearCompleted) {
      const answer = await apply(actions.clearCompleted);
      if (!answer) return;
      const gone = answer.undo?.todos ?? [];
      focusSoon("#new-todo");
      setNotice(gone.length ? { text: deletedMessage(gone), undo: answer.undo!.token } : null);
    } else if (
      (action === "complete-all" || action === "incomplete-all") && actions.setAllCompleted
    ) {
      const completed = action === "complete-all";
      const answer = await apply(() => actions.setAllCompleted!(completed));
      if (!answer) return;
      focusSoon(answer.todos.length ? ".bulk button" : "#new-todo");
      const state = completed ? "complete" : "not complete";
      setNotice({ text: `Marked all ${answer.todos.length} todos ${state}.` });
    }
  }

  async function onUndo(token: string) {
    if (!actions.undo) return;
    const before = new Set(todos.map((todo) => todo.id));
    const answer = await apply(() => actions.undo!(token));
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
  const bulk = Boolean(actions.setAllCompleted || actions.clearCompleted);
  const post = props.formAction ? { method: "post", action: props.formAction } : {};
  /**
   * A form's handlers: `run(form, action)` gets the form and its submit button's value. In a
   * frame sandboxed without `allow-forms` (an MCP Apps host may do that) browsers never fire
   * `submit`, so without a no-JS fallback (no `formAction`) the view acts on the submit
   * button's click instead (Enter in a field clicks it too), after the same validation.
   */
  const submits = (run: (form: HTMLFormElement, action: string | undefined) => unknown) => ({
    onSubmit(event: SubmitEvent) {
      event.preventDefault();
      run(event.currentTarget as HTMLFormElement, (event.submitter as HTMLButtonElement)?.value);
    },
    onClick: props.formAction ? undefined : (event: MouseEvent) => {
      const form = event.currentTarget as HTMLFormElement;
      const button = (event.target as Element).closest?.("button");
      if (!button || button.type !== "submit" || !form.contains(button)) return;
      event.preventDefault();
      if (form.reportValidity()) run(form, button.value);
    },
  });
  /** Without JavaScript, a post comes back to the filter it was sent from. */
  const filterField = () =>
    filter !== "all" && <input type="hidden" name="filter" value={filter} />;
  return (
    <div class="todo-list" aria-busy={busy} ref={root}>
      <form
        class="add-form"
        {...post}
        {...submits(async () => {
          const text = draft;
          if (await apply(() => actions.add(text))) {
            setDraft("");
            setNotice({ text: `Added ${quoted(text.trim())}.` });
          }
        })}
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
          autofocus={(props.autofocus ?? true) && !props.focus && !props.editing}
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
            {notice.undo && actions.undo && (
              <form
                {...post}
                class="undo-form"
                {...submits(() => onUndo(notice.undo!))}
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
                  href={href(f)}
                  aria-current={f === filter ? "page" : undefined}
                  onClick={(event) => showFilter(event, f)}
                >
                  {label}
                </a>
              ))}
            </nav>
            {bulk && (
              <form
                class="bulk"
                {...post}
                {...submits((_form, action) => onBulkSubmit(action))}
              >
                {filterField()}
                {actions.setAllCompleted && (
                  <button
                    type="submit"
                    name="action"
                    value={open ? "complete-all" : "incomplete-all"}
                  >
                    {open ? "Mark all complete" : "Mark all incomplete"}
                  </button>
                )}
                {done > 0 && actions.clearCompleted && (
                  <button type="submit" name="action" value="clear-completed">
                    Clear completed ({done})
                  </button>
                )}
              </form>
            )}
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
                  {...post}
                  {...submits((form) => saveEdit(form, todo, true))}
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
                      if (event.key !== "Escape") {
                        return;
                      }
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
                    href={href(filter, { at: todo.id })}
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
                  {...post}
                  {...submits((_form, action) => onRowSubmit(todo, action))}
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
                    href={href(filter, { edit: todo.id })}
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
