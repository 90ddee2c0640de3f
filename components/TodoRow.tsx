/**
 * One todo of the list: a row with its check button, text, Edit link and Delete button, or,
 * while it is being edited, its edit form (Enter or moving away saves, Escape cancels).
 *
 * The row is small on purpose (a page may hold hundreds): its buttons post through the list's
 * shared action forms (`RowActionForms`, `form="…"`) with the todo's id as their value, and
 * their accessible names join a shared label with the todo's text (`aria-labelledby`), so the
 * text is in the page once per row.
 */
import { FilterField, formProps } from "./todo_form.tsx";
import type { Filter, TodoItem } from "../todo_list/view.ts";

export interface TodoRowProps {
  todo: TodoItem;
  /** The row's place in the list shown: names the id of its text, which labels its controls. */
  index: number;
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
  /** The row's action: "complete", "incomplete" or "delete". */
  onSubmit(todo: TodoItem, action: RowAction): void;
  onStartEdit(event: Event, id: string): void;
  /** Closes the edit field without saving; `refocus` puts focus back on the row's Edit link. */
  onStopEdit(id: string, refocus: boolean): void;
  onSaveEdit(form: HTMLFormElement, todo: TodoItem, refocus: boolean): void;
}

/** What a row's buttons do; each has one shared form and one shared label. */
export type RowAction = "complete" | "incomplete" | "delete";

/** Each control's label, before the todo's text, and its one-letter key (short ids: every row names them). */
const ROW_LABELS: Record<RowAction | "edit", [key: string, label: string]> = {
  complete: ["c", "Mark complete:"],
  incomplete: ["i", "Mark incomplete:"],
  edit: ["e", "Edit:"],
  delete: ["d", "Delete:"],
};

/** The id of the shared form that posts `action` for a row button. */
const formId = (action: RowAction) => `tf-${ROW_LABELS[action][0]}`;
/** The id of the hidden label that names a row's `action` control. */
const labelId = (action: RowAction | "edit") => `tl-${ROW_LABELS[action][0]}`;

/**
 * The list's shared row forms (one per action, posting `action` and the filter; the button
 * used adds `id`) and the hidden labels the rows' controls are named by.
 */
export function RowActionForms(
  { formAction, filter }: { formAction?: string; filter: Filter },
) {
  const actions = Object.keys(ROW_LABELS) as (RowAction | "edit")[];
  return (
    <div hidden>
      {formAction && actions.map((action) =>
        action === "edit"
          ? null
          : (
            <form key={action} id={formId(action)} method="post" action={formAction}>
              <input type="hidden" name="action" value={action} />
              <FilterField filter={filter} />
            </form>
          )
      )}
      {actions.map((action) => (
        <span key={action} id={labelId(action)}>{ROW_LABELS[action][1]}</span>
      ))}
    </div>
  );
}

/** One todo as a list item (see the module comment). */
export function TodoRow(props: TodoRowProps) {
  const { todo } = props;
  return (
    <li id={`todo-${todo.id}`} class={todo.completed ? "todo done" : "todo"}>
      {props.editing ? editForm(props) : rowControls(props)}
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

/** A row button: without JavaScript it posts its shared form; hydrated, it acts in place. */
function rowButton(props: TodoRowProps, action: RowAction, textId: string) {
  return {
    type: props.formAction ? undefined : "button" as const,
    form: props.formAction ? formId(action) : undefined,
    name: "id",
    value: props.todo.id,
    "aria-labelledby": `${labelId(action)} ${textId}`,
    onClick(event: MouseEvent) {
      event.preventDefault();
      props.onSubmit(props.todo, action);
    },
  };
}

function rowControls(props: TodoRowProps) {
  const { todo, filter } = props;
  const textId = `tn${props.index}`;
  return (
    <>
      <button
        class="check"
        {...rowButton(props, todo.completed ? "incomplete" : "complete", textId)}
        autofocus={props.autofocus}
      />
      <span class="text" id={textId} onDblClick={(event) => props.onStartEdit(event, todo.id)}>
        {todo.text}
      </span>
      <a
        class="edit"
        href={props.href(filter, { edit: todo.id })}
        aria-labelledby={`${labelId("edit")} ${textId}`}
        onClick={(event) => props.onStartEdit(event, todo.id)}
      >
        Edit
      </a>
      <button class="delete" {...rowButton(props, "delete", textId)}>Delete</button>
    </>
  );
}
