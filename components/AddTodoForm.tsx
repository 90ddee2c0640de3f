/** The new-todo form at the top of the list: a labelled text input and the Add button. */
import { FilterField, formProps, type FormRun } from "./todo_form.tsx";
import type { Filter } from "../todo_list/view.ts";

export interface AddTodoFormProps {
  /** What is typed (the list keeps it, so it can be restored and cleared). */
  draft: string;
  onDraft(text: string): void;
  filter: Filter;
  /** Longest todo text the server accepts (lib/todos/limits.ts `MAX_TEXT_LENGTH`). */
  maxLength: number;
  autofocus: boolean;
  /** The id of the error shown, which describes the input while it stands. */
  errorId: string | null;
  formAction?: string;
  onAdd: FormRun;
}

/** The new-todo form (see the module comment). */
export function AddTodoForm(props: AddTodoFormProps) {
  return (
    <form class="add-form" {...formProps(props.formAction, props.onAdd)}>
      <input type="hidden" name="action" value="add" />
      <FilterField filter={props.filter} />
      <label class="visually-hidden" for="new-todo">New todo</label>
      <input
        id="new-todo"
        name="text"
        required
        maxLength={props.maxLength}
        autocomplete="off"
        autofocus={props.autofocus}
        placeholder="What needs doing?"
        aria-invalid={props.errorId ? "true" : undefined}
        aria-describedby={props.errorId ?? undefined}
        value={props.draft}
        onInput={(event) => props.onDraft(event.currentTarget.value)}
      />
      <button type="submit" class="primary">Add</button>
    </form>
  );
}
