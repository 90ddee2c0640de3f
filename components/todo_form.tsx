/**
 * Form plumbing shared by the todo list's forms: each posts to the page (`formAction`) when
 * JavaScript is off, and runs its action in place once hydrated.
 */
import type { Filter } from "../todo_list/view.ts";

/** Runs a form's action with the form and the value of the submit button used. */
export type FormRun = (form: HTMLFormElement, action: string | undefined) => unknown;

/**
 * A form's attributes and handlers: `method`/`action` for the no-JS post when `formAction` is
 * given, and `run(form, action)` on submit. In a frame sandboxed without `allow-forms` (an MCP
 * Apps host may do that) browsers never fire `submit`, so without a no-JS fallback (no
 * `formAction`) the form acts on the submit button's click instead (Enter in a field clicks it
 * too), after the same validation.
 */
export function formProps(formAction: string | undefined, run: FormRun) {
  return {
    ...(formAction ? { method: "post", action: formAction } : {}),
    onSubmit(event: SubmitEvent) {
      event.preventDefault();
      run(event.currentTarget as HTMLFormElement, (event.submitter as HTMLButtonElement)?.value);
    },
    onClick: formAction ? undefined : (event: MouseEvent) => {
      const form = event.currentTarget as HTMLFormElement;
      const button = (event.target as Element).closest?.("button");
      if (!button || button.type !== "submit" || !form.contains(button)) return;
      event.preventDefault();
      if (form.reportValidity()) run(form, button.value);
    },
  };
}

/** Without JavaScript, a post comes back to the filter it was sent from. */
export function FilterField({ filter }: { filter: Filter }) {
  return filter !== "all" ? <input type="hidden" name="filter" value={filter} /> : null;
}
