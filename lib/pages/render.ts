/** Renders a route's page inside its layouts and `_app` into a complete HTML document. */
import { type ComponentType, Fragment, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { loadIslandBuild } from "./assets.ts";
import { collect, type RenderCollector, serializeProps } from "./islands.ts";
import type { AppProps, LayoutProps, PageProps } from "./types.ts";

/** Element id of the JSON block holding island props (read by `client.ts`). */
export const PROPS_ELEMENT_ID = "__pages_islands";

/**
 * Renders `page` with `props` inside `layouts` (outermost first) and `app` (the `_app.tsx`
 * shell), each getting the props and what it wraps as `Component`; then adds what the page
 * collected: `<Head>` children before `</head>`; island props and bundles before `</body>`.
 * Text and attributes are escaped by preact; the only raw insertions are the escaped JSON
 * block and script URLs from the build manifest.
 */
export function renderPage(
  app: ComponentType<AppProps> | undefined,
  layouts: ComponentType<LayoutProps>[],
  // deno-lint-ignore no-explicit-any
  page: ComponentType<any>,
  props: PageProps,
): string {
  const collected: RenderCollector = { islands: [], head: [] };
  let Component = () => h(page, props);
  for (const layout of [...layouts].reverse()) {
    const Inner = Component;
    Component = () => h(layout, { ...props, Component: Inner });
  }
  // deno-lint-ignore no-explicit-any
  const root: VNode<any> = app ? h(app, { ...props, Component }) : h(Component, {});
  let html = collect(collected, () => renderToString(root));
  if (collected.head.length > 0) {
    const head = collect(collected, () => renderToString(h(Fragment, null, ...collected.head)));
    html = insertBefore(html, "</head>", head);
  }
  if (collected.islands.length > 0) {
    const build = loadIslandBuild();
    const names = [...new Set(collected.islands.map((island) => island.name))];
    const built = names.filter((name) => build.islands[name]);
    const chunks = [...new Set(built.flatMap((name) => build.preload?.[name] ?? []))];
    const scripts = [
      ...chunks.map((url) => `<link rel="modulepreload" href="${url}">`),
      ...built.map((name) => `<script type="module" src="${build.islands[name]}"></script>`),
    ];
    const data = `<script type="application/json" id="${PROPS_ELEMENT_ID}">${
      serializeProps(collected.islands.map((island) => island.props))
    }</script>`;
    html = insertBefore(html, "</body>", data + scripts.join(""));
  }
  return `<!DOCTYPE html>${html}`;
}

/** Inserts `text` before the first `tag` (preact escapes `<` in text, so it is a real tag), or appends it. */
function insertBefore(html: string, tag: string, text: string): string {
  const index = html.indexOf(tag);
  return index === -1 ? html + text : html.slice(0, index) + text + html.slice(index);
}
