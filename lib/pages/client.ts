/**
 * Browser side of islands: each island bundle calls `boot(name, Component)`, which hydrates
 * every `<pages-island data-island="name">` on the page with its props from the JSON block.
 */
/// <reference lib="dom" />
import { type ComponentType, h, hydrate } from "preact";

let allProps: Record<string, unknown>[] | null = null;

/** Hydrates every server-rendered instance of the island `name`. */
// deno-lint-ignore no-explicit-any
export function boot(name: string, Component: ComponentType<any>): void {
  allProps ??= JSON.parse(document.getElementById("__pages_islands")?.textContent ?? "[]");
  const selector = `pages-island[data-island="${CSS.escape(name)}"]`;
  for (const element of document.querySelectorAll<HTMLElement>(selector)) {
    hydrate(h(Component, allProps![Number(element.dataset.key)] ?? {}), element);
    element.setAttribute("data-hydrated", ""); // lets tests (and CSS) tell hydrated islands apart
  }
}
