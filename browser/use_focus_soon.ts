/**
 * Focus that follows a change: keyboard users keep their place when the list re-renders
 * (a row replaced by its edit field, a todo deleted, a filter switched).
 */
import { type RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";

/** Renders that may pass before the element shows up (state updates can land in several). */
const MAX_TRIES = 4;

/**
 * Returns `focusSoon(selector)`: once `root` has re-rendered with an element matching
 * `selector`, focus it (an edit field with the caret at the end).
 */
export function useFocusSoon(root: RefObject<HTMLElement | null>): (selector: string) => void {
  /** Selector of the element to focus once the list has re-rendered. */
  const next = useRef<string | null>(null);
  /** Renders left to find `next`. */
  const tries = useRef(0);

  useEffect(() => {
    if (next.current === null) return;
    const target = root.current?.querySelector<HTMLElement>(next.current);
    if (!target && ++tries.current < MAX_TRIES) return;
    next.current = null;
    tries.current = 0;
    target?.focus();
    if (target instanceof HTMLInputElement && target.classList.contains("edit-input")) {
      target.setSelectionRange(target.value.length, target.value.length);
    }
  });

  return (selector: string) => {
    next.current = selector;
    tries.current = 0;
  };
}
