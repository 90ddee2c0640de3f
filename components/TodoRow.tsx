/**
 * One todo of the list: a row with its check button, text, Edit link and Delete button, or,
 * while it is being edited, its edit form (Enter or moving away saves, Escape cancels).
 */
import { FilterField, formProps } from "./todo_form.tsx";
import type { Filter, TodoItem } from "./todo_view.ts";

export interface TodoRowProps {
  todo: TodoItem;
  /** Shown with its edit field. */
  editing: boolean;
  filter: Filter;
  /** Longest todo text the server accepts (lib/todos/limits.ts `MAX_TEXT_LENGTH`). */
  maxLength: number;
  /** Focus this row's own control on load: its check button, or its edit field. */
  autofocus: boolean;
  /** Where the forms post without JavaScript; omitted: no fallback. */
  formAction?: string;
  href(filter: Filter, params?: Record<string, string>): string;
  /** The row's submit: `action` is "complete", "incomplete" or "delete". */
  onSubmit(todo: TodoItem, action: string | undefined): void;
  onStartEdit(event: Event, id: string): void;
  /** Closes the edit field without saving; `refocus` puts focus back on the row's Edit link. */
  onStopEdit(id: string, refocus: boolean): void;
  onSaveEdit(form: HTMLFormElement, todo: TodoItem, refocus: boolean): void;
}

/** One todo as a list item (see the module comment). */
export function TodoRow(props: TodoRowProps) {
  const { todo } = props;
  // Plain calls, not components: switching modes patches one <form> in place.
  return (
    <li id={`todo-${todo.id}`} class={todo.completed ? "todo done" : "todo"}>
      {props.editing ? editForm(props) : rowForm(props)}
    </li>
  );
}

function editForm(props: TodoRowProps) {
  const { todo, filter } = props;
  return (
    <form
      class="row"
      {...formProps(props.formAction, (form) => props.onSaveEdit(form, todo, true))}
    >
      <input type="hidden" name="action" value="edit" />
      <input type="hidden" name="id" value={todo.id} />
      <FilterField filter={filter} />
      <label class="visually-hidden" for={`edit-${todo.id}`}>Edit todo</label>
      <input
        id={`edit-${todo.id}`}
        class="edit-input"
        name="text"
        required
        maxLength={props.maxLength}
        autocomplete="off"
        autofocus={props.autofocus}
        value={todo.text}
        onKeyDown={(event) => {
          if (event.key !== "Escape") return;
          event.preventDefault();
          props.onStopEdit(todo.id, true); // the row renders the stored text again
        }}
        onBlur={(event) => {
          const form = event.currentTarget.form!;
          if (form.contains(event.relatedTarget as Node | null)) return;
          props.onSaveEdit(form, todo, false); // moving away saves
        }}
      />
      <button type="submit">Save</button>
      <a
        class="cancel"
        href={props.href(filter, { at: todo.id })}
        onClick={(event) => {
          event.preventDefault();
          props.onStopEdit(todo.id, true);
        }}
      >
        Cancel
      </a>
    </form>
  );
}

function rowForm(props: TodoRowProps) {
  const { todo, filter } = props;
  return (
    <form
      class="row"
      {...formProps(props.formAction, (_form, action) => props.onSubmit(todo, action))}
    >
      <input type="hidden" name="id" value={todo.id} />
      <FilterField filter={filter} />
      <button
        type="submit"
        class="check"
        name="action"
        value={todo.completed ? "incomplete" : "complete"}
        autofocus={props.autofocus}
      >
        <span class="visually-hidden">
          {todo.completed ? "Mark incomplete" : "Mark complete"}: {todo.text}
        </span>
      </button>
      <span class="text" onDblClick={(event) => props.onStartEdit(event, todo.id)}>
        {todo.text}
      </span>
      <a
        class="edit"
        href={props.href(filter, { edit: todo.id })}
        onClick={(event) => props.onStartEdit(event, todo.id)}
      >
        <span aria-hidden="true">Edit</span>
        <span class="visually-hidden">Edit: {todo.text}</span>
      </a>
      <button type="submit" class="delete" name="action" value="delete">
        <span aria-hidden="true">Delete</span>
        <span class="visually-hidden">Delete: {todo.text}</span>
      </button>
    </form>
  );
}
