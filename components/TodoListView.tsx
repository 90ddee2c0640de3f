/**
 * The todo list UI, one component for two shells: the web page's island (islands/TodoList.tsx,
 * REST-backed) and the MCP App view (mcp_app/view.tsx, backed by the host's `tools/call`).
 * It owns only UI state (editing, notices, focus, the draft: browser/use_todo_list.ts); the
 * shell owns the todos and the filter and acts through `actions` (todo_list/actions.ts), whose
 * answers say what happened. Its parts: AddTodoForm, the status line, TodoToolbar, TodoRow.
 */
import { AddTodoForm } from "./AddTodoForm.tsx";
import type { Notice } from "../todo_list/actions.ts";
import { FilterField, formProps } from "./todo_form.tsx";
import { RowActionForms, TodoRow } from "./TodoRow.tsx";
import { TodoToolbar } from "./TodoToolbar.tsx";
import { type Filter, filterTodos, pageUrl } from "../todo_list/view.ts";
import { type TodoListInput, useTodoList } from "../browser/use_todo_list.ts";

export interface TodoListViewProps extends TodoListInput {
  /** Longest todo text the server accepts (lib/todos/limits.ts `MAX_TEXT_LENGTH`). */
  maxLength: number;
  /** The todo to focus on load (no-JS `?at=`); else the new-todo input, if `autofocus`. */
  focus?: string | null;
  /** Focus the new-todo input on load (the page does; an embedded view must not). */
  autofocus?: boolean;
  /** Where the forms post without JavaScript (the page's `/todoapp`); omitted: no fallback. */
  formAction?: string;
  /** Link targets of the filters and the edit/cancel links (the page's `pageUrl`). */
  href?: (filter: Filter, params?: Record<string, string>) => string;
}

/**
 * The todo list: forms and links that also work without JavaScript (when `formAction` and
 * `href` are given); once hydrated, submits go through `actions`, the filters switch in place,
 * and a polite status region says what happened.
 */
export function TodoListView(props: TodoListViewProps) {
  const { todos, filter, actions } = props;
  const href = props.href ?? pageUrl;
  const list = useTodoList(props);
  const { error, editing } = list;
  const shown = filterTodos(todos, filter);
  return (
    <div class="todo-list" aria-busy={list.busy} ref={list.root}>
      <AddTodoForm
        draft={list.draft}
        onDraft={list.setDraft}
        filter={filter}
        maxLength={props.maxLength}
        autofocus={(props.autofocus ?? true) && !props.focus && !props.editing}
        errorId={error ? "todo-error" : null}
        formAction={props.formAction}
        onAdd={list.onAdd}
      />
      {error && <p class="error" id="todo-error" role="alert">{error}</p>}
      <StatusLine
        notice={list.notice}
        canUndo={Boolean(actions.undo)}
        filter={filter}
        formAction={props.formAction}
        onUndo={list.onUndo}
      />
      {todos.length === 0
        ? <p class="empty empty-list">Nothing to do yet. Add your first todo above.</p>
        : (
          <TodoToolbar
            todos={todos}
            filter={filter}
            href={href}
            onFilter={list.showFilter}
            canSetAll={Boolean(actions.setAllCompleted)}
            canClear={Boolean(actions.clearCompleted)}
            formAction={props.formAction}
            onBulk={(_form, action) => list.onBulkSubmit(action)}
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
            onSubmit={list.onRowSubmit}
            onStartEdit={list.startEdit}
            onStopEdit={list.stopEdit}
            onSaveEdit={list.saveEdit}
          />
        ))}
      </ul>
    </div>
  );
}

/** The polite status region: what the last action did, with Undo after a deletion. */
function StatusLine({ notice, canUndo, filter, formAction, onUndo }: {
  notice: Notice | null;
  canUndo: boolean;
  filter: Filter;
  formAction?: string;
  onUndo(token: string): unknown;
}) {
  return (
    <div class="status" role="status">
      {notice && (
        <>
          {notice.text}
          {notice.undo && canUndo && (
            <form
              {...formProps(formAction, () => onUndo(notice.undo!))}
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
  );
}
