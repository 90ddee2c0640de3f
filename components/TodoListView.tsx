/**
 * The todo list UI, one component for two shells: the web page's island (islands/TodoList.tsx,
 * REST-backed) and the MCP App view (mcp_app/view.tsx, backed by the host's `tools/call`).
 * It owns only UI state (editing, notices, focus, the draft); the shell owns the todos and
 * the filter and acts through `actions` (todo_list/actions.ts), whose answers say what
 * happened. Its parts: AddTodoForm, TodoToolbar, TodoRow.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { AddTodoForm } from "./AddTodoForm.tsx";
import {
  type Answer,
  isFailure,
  type Notice,
  type Outcome,
  type TodoActions,
} from "../todo_list/actions.ts";
import { FilterField, formProps } from "./todo_form.tsx";
import { RowActionForms, TodoRow } from "./TodoRow.tsx";
import { TodoToolbar } from "./TodoToolbar.tsx";
import {
  addedMessage,
  deletedMessage,
  type Filter,
  FILTERS,
  filterTodos,
  focusAfter,
  pageUrl,
  shorten,
  type TodoItem,
} from "../todo_list/view.ts";
import { useFocusSoon } from "../browser/use_focus_soon.ts";

export interface TodoListViewProps {
  todos: TodoItem[];
  actions: TodoActions;
  filter: Filter;
  /** Called when the person picks another filter (the shell keeps it, e.g. in the URL). */
  onFilter(next: Filter): void;
  /** Longest todo text the server accepts (lib/todos/limits.ts `MAX_TEXT_LENGTH`). */
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
  const focusSoon = useFocusSoon(root);
  /** Set while an edit is being closed, so the blur that follows does not save it again. */
  const closing = useRef(false);
  const undoTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

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
    // The store keeps text trimmed (lib/todos/rules.ts): unchanged once trimmed is no edit.
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

  async function onAdd() {
    const text = draft;
    if (await apply(() => actions.add(text))) {
      setDraft("");
      setNotice({ text: addedMessage(text.trim()) });
    }
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

  const shown = filterTodos(todos, filter);
  return (
    <div class="todo-list" aria-busy={busy} ref={root}>
      <AddTodoForm
        draft={draft}
        onDraft={setDraft}
        filter={filter}
        maxLength={props.maxLength}
        autofocus={(props.autofocus ?? true) && !props.focus && !props.editing}
        errorId={error ? "todo-error" : null}
        formAction={props.formAction}
        onAdd={onAdd}
      />
      {error && <p class="error" id="todo-error" role="alert">{error}</p>}
      <div class="status" role="status">
        {notice && (
          <>
            {notice.text}
            {notice.undo && actions.undo && (
              <form
                {...formProps(props.formAction, () => onUndo(notice.undo!))}
                class="undo-form"
              >
                <input type="hidden" name="action" value="undo" />
                <input type="hidden" name="token" value={notice.undo} />
                <FilterField filter={filter} />
                <button type="submit">Undo</button>
              </form>
            )}
          </>
        )}
      </div>
      {todos.length === 0
        ? <p class="empty empty-list">Nothing to do yet. Add your first todo above.</p>
        : (
          <TodoToolbar
            todos={todos}
            filter={filter}
            href={href}
            onFilter={showFilter}
            canSetAll={Boolean(actions.setAllCompleted)}
            canClear={Boolean(actions.clearCompleted)}
            formAction={props.formAction}
            onBulk={(_form, action) => onBulkSubmit(action)}
          />
        )}
      {todos.length > 0 && shown.length === 0 && (
        <p class="empty">
          {filter === "active" ? "Nothing left to do." : "Nothing completed yet."}
        </p>
      )}
      <RowActionForms formAction={props.formAction} filter={filter} />
      <ul class="todos">
        {shown.map((todo, index) => (
          <TodoRow
            key={todo.id}
            todo={todo}
            index={index}
            editing={editing === todo.id}
            filter={filter}
            maxLength={props.maxLength}
            autofocus={editing === todo.id ? props.editing === todo.id : props.focus === todo.id}
            formAction={props.formAction}
            href={href}
            onSubmit={onRowSubmit}
            onStartEdit={startEdit}
            onStopEdit={stopEdit}
            onSaveEdit={saveEdit}
          />
        ))}
      </ul>
    </div>
  );
}
