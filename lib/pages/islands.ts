/**
 * Server side of islands. A preact `options.vnode` hook swaps each island component for a
 * wrapper that renders `<pages-island data-island="Name" data-key="N">` around the island's
 * own output and records its props; the page then carries the props as a JSON data block
 * and loads the bundles of the islands it contains (see `render.ts`, `client.ts`).
 */
import {
  type ComponentChildren,
  type ComponentType,
  createContext,
  h,
  isValidElement,
  options,
} from "preact";
import { useContext } from "preact/hooks";

/** An island instance found while rendering a page. */
export interface IslandUse {
  name: string;
  props: Record<string, unknown>;
}

/** What one page render collects: island instances and `<Head>` children. */
export interface RenderCollector {
  islands: IslandUse[];
  head: ComponentChildren[];
}

// deno-lint-ignore no-explicit-any
type AnyComponent = ComponentType<any>;

const wrappers = new Map<AnyComponent, AnyComponent>();
const InsideIsland = createContext(false);
let collector: RenderCollector | null = null;
let creatingOriginal = false;

/** Marks `component` as the island `name`: pages rendering it will hydrate it in the browser. */
export function registerIsland(name: string, component: AnyComponent): void {
  if (wrappers.has(component)) return;
  const Island = (props: Record<string, unknown>) => {
    creatingOriginal = true;
    const inner = h(component, props);
    creatingOriginal = false;
    // An island inside another island is just part of the outer island's component tree.
    if (useContext(InsideIsland) || collector === null) return inner;
    const key = collector.islands.push({ name, props: checkProps(name, props) }) - 1;
    return h(
      InsideIsland.Provider,
      { value: true },
      h("pages-island", { "data-island": name, "data-key": String(key) }, inner),
    );
  };
  Island.displayName = `Island(${name})`;
  wrappers.set(component, Island);
}

const previousVnodeHook = options.vnode;
options.vnode = (vnode) => {
  if (!creatingOriginal && typeof vnode.type === "function") {
    const wrapper = wrappers.get(vnode.type);
    if (wrapper) vnode.type = wrapper;
  }
  previousVnodeHook?.(vnode);
};

/** Runs `render` with `target` collecting the islands and head children it meets. */
export function collect<T>(target: RenderCollector, render: () => T): T {
  const previous = collector;
  collector = target;
  try {
    return render();
  } finally {
    collector = previous;
  }
}

/** Adds `<Head>` children to the page being rendered. */
export function addHead(children: ComponentChildren): void {
  collector?.head.push(children);
}

/**
 * Checks that island props survive `JSON.stringify` unchanged: plain objects, arrays,
 * strings, finite numbers, booleans and null. Anything else (functions, JSX children,
 * Dates, class instances) would hydrate differently from what the server rendered.
 */
function checkProps(name: string, props: Record<string, unknown>): Record<string, unknown> {
  const check = (value: unknown, path: string, inObject = false): void => {
    if (value === null || typeof value === "string" || typeof value === "boolean") return;
    if (value === undefined && inObject) return; // dropped by JSON, undefined after hydration too
    if (typeof value === "number" && Number.isFinite(value)) return;
    if (Array.isArray(value)) return value.forEach((item, i) => check(item, `${path}[${i}]`));
    if (typeof value === "object" && !isValidElement(value)) {
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) {
        for (const [key, item] of Object.entries(value)) check(item, `${path}.${key}`, true);
        return;
      }
    }
    throw new TypeError(
      `Island ${name}: prop ${path} is not JSON-serializable (${describe(value)}). ` +
        "Island props must be plain data; islands take no children.",
    );
  };
  for (const [key, value] of Object.entries(props)) check(value, key, true);
  return props;
}

function describe(value: unknown): string {
  if (isValidElement(value)) return "a JSX element";
  if (typeof value !== "object" || value === null) return typeof value;
  return Object.getPrototypeOf(value)?.constructor?.name ?? "object";
}

/**
 * Serializes island props for a `<script type="application/json">` block: `<`, `>`, `&`
 * and U+2028/U+2029 become `\uXXXX` escapes, so no text can close the element or open
 * markup, whatever the props contain (e.g. a todo reading `</script><script>`).
 */
export function serializeProps(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
