/**
 * The bar above the list: how many todos are left and the filter links on one line, the bulk
 * actions (mark all complete or incomplete, clear completed) when the shell offers them on
 * the next, so that nothing moves when one of them appears.
 */
import { FilterField, formProps, type FormRun } from "./todo_form.tsx";
import { type Filter, FILTERS, type TodoItem } from "../todo_list/view.ts";

export interface TodoToolbarProps {
  todos: TodoItem[];
  filter: Filter;
  href(filter: Filter): string;
  /** A filter link was followed (the list switches in place once hydrated). */
  onFilter(event: MouseEvent, next: Filter): void;
  /** Offer "Mark all complete/incomplete". */
  canSetAll: boolean;
  /** Offer "Clear completed". */
  canClear: boolean;
  formAction?: string;
  /** The bulk form's submit: `action` is "complete-all", "incomplete-all" or "clear-completed". */
  onBulk: FormRun;
}

/** The count, the filters and the bulk actions (see the module comment). */
export function TodoToolbar(props: TodoToolbarProps) {
  const { todos, filter } = props;
  const open = todos.filter((todo) => !todo.completed).length;
  const done = todos.length - open;
  return (
    <div class="toolbar">
      <p class="count">{open} of {todos.length} left</p>
      <nav class="filters" aria-label="Show">
        {FILTERS.map(({ filter: f, label }) => (
          <a
            key={f}
            href={props.href(f)}
            aria-current={f === filter ? "page" : undefined}
            onClick={(event) => props.onFilter(event, f)}
          >
            {label}
          </a>
        ))}
      </nav>
      {(props.canSetAll || props.canClear) && (
        <form class="bulk" {...formProps(props.formAction, props.onBulk)}>
          <FilterField filter={filter} />
          {props.canSetAll && (
            <button type="submit" name="action" value={open ? "complete-all" : "incomplete-all"}>
              {open ? "Mark all complete" : "Mark all incomplete"}
            </button>
          )}
          {props.canClear && (
            // Kept in place (invisible, disabled) while nothing is completed: nothing moves
            // when it appears.
            <button
              type="submit"
              name="action"
              value="clear-completed"
              class={done > 0 ? undefined : "reserved"}
              disabled={done === 0}
            >
              Clear completed ({done})
            </button>
          )}
        </form>
      )}
    </div>
  );
}
