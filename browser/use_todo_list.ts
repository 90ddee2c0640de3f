/**
 * What the todo list (components/TodoListView.tsx) does in the browser: its UI state (editing,
 * notices, focus, the draft, how long Undo stays) and a handler for each action, which runs
 * through the shell's `actions` and says what happened.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import {
  type Answer,
  isFailure,
  type Notice,
  type Outcome,
  type TodoActions,
} from "../todo_list/actions.ts";
import {
  addedMessage,
  deletedMessage,
  type Filter,
  FILTERS,
  filterTodos,
  focusAfter,
  shorten,
  type TodoItem,
} from "../todo_list/view.ts";
import { useFocusSoon } from "./use_focus_soon.ts";

/** What the list's behaviour reads from its props; the shell owns the todos and the filter. */
export interface TodoListInput {
  todos: TodoItem[];
  actions: TodoActions;
  filter: Filter;
  /** Called when the person picks another filter (the shell keeps it, e.g. in the URL). */
  onFilter(next: Filter): void;
  error?: string | null;
  notice?: Notice | null;
  /** The todo shown with its edit field (no-JS `?edit=`). */
  editing?: string | null;
  /** Read once after mount: a draft to put back into the new-todo input. */
  restoreDraft?: () => string | null;
}

/** How long Undo stays offered after a deletion (longer while it has focus). */
const UNDO_MS = 8000;

const quoted = (text: string) => `“${shorten(text)}”`;

/** The list's UI state, with the draft put back after mount and Undo withdrawn after a while. */
function useListState(props: TodoListInput) {
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

  return {
    error,
    setError,
    notice,
    setNotice,
    editing,
    setEditing,
    busy,
    setBusy,
    draft,
    setDraft,
    root,
    focusSoon,
    closing,
  };
}

type ListState = ReturnType<typeof useListState>;
type Runner = ReturnType<typeof actionRunner>;

/** Runs one action at a time: `apply` answers on success, else shows why and answers null. */
function actionRunner(state: ListState, filter: Filter) {
  /** Focuses the todo `id` once rendered, or the one that takes its place, or the input. */
  function focusRow(list: TodoItem[], id: string, view: Filter = filter) {
    const at = focusAfter(list, view, id);
    state.focusSoon(at ? `#todo-${at} .check` : "#new-todo");
  }

  async function apply(act: () => Promise<Outcome>, id?: string): Promise<Answer | null> {
    if (state.busy) return null;
    state.setBusy(true);
    try {
      const outcome = await act();
      if (outcome === null) return null;
      if (isFailure(outcome)) {
        if (outcome.todos && id !== undefined) {
          // The todo is gone (deleted in another tab, or by an agent): the list is fresh.
          state.setEditing(null);
          state.setNotice(null);
          focusRow(outcome.todos, id);
        }
        state.setError(outcome.error);
        return null;
      }
      state.setError(null);
      return outcome;
    } catch (caught) {
      state.setError(`Something went wrong: ${caught instanceof Error ? caught.message : caught}`);
      return null;
    } finally {
      state.setBusy(false);
    }
  }

  return { apply, focusRow };
}

/** Opening, closing and saving a todo's edit field. */
function editHandlers(state: ListState, { apply }: Runner, actions: TodoActions) {
  const { closing, focusSoon } = state;

  function startEdit(event: Event, id: string) {
    event.preventDefault();
    closing.current = false;
    state.setEditing(id);
    focusSoon(`#edit-${id}`);
  }

  function stopEdit(id: string, refocus: boolean) {
    closing.current = true;
    state.setEditing(null);
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
    state.setNotice({ text: `Saved ${quoted(text.trim())}.` });
  }

  return { startEdit, stopEdit, saveEdit };
}

/** Adding a todo, a row's buttons (complete, delete), the bulk buttons and Undo. */
function changeHandlers(state: ListState, { apply, focusRow }: Runner, props: TodoListInput) {
  const { actions } = props;
  const { setNotice, focusSoon } = state;

  async function onAdd() {
    const text = state.draft;
    if (await apply(() => actions.add(text))) {
      state.setDraft("");
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
      const marked = completed ? "complete" : "not complete";
      setNotice({ text: `Marked all ${answer.todos.length} todos ${marked}.` });
    }
  }

  async function onUndo(token: string) {
    if (!actions.undo) return;
    const before = new Set(props.todos.map((todo) => todo.id));
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

  return { onAdd, onRowSubmit, onBulkSubmit, onUndo };
}

/** Switches the filter in place (a plain click; modified clicks follow the link) and says so. */
function filterSwitch(state: ListState, { todos, filter, onFilter }: TodoListInput) {
  return function showFilter(event: MouseEvent, next: Filter) {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (next === filter) return;
    onFilter(next);
    state.setEditing(null);
    const shown = filterTodos(todos, next).length;
    const label = FILTERS.find((f) => f.filter === next)!.label.toLowerCase();
    state.setNotice({ text: `Showing ${next === "all" ? "all" : label} todos: ${shown}.` });
  };
}

/** The list's UI state and its handlers, for one render of the list. */
export function useTodoList(props: TodoListInput) {
  const state = useListState(props);
  const run = actionRunner(state, props.filter);
  return {
    ...state,
    ...editHandlers(state, run, props.actions),
    ...changeHandlers(state, run, props),
    showFilter: filterSwitch(state, props),
  };
}
