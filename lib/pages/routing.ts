/** Fresh's file-system routing: file paths under `routes/` to Hono path patterns. */

const ROUTE_FILE = /\.(tsx|ts|jsx|js)$/;

/**
 * The URL pattern for a file path relative to `routes/` (e.g. `todos/[id].tsx` ->
 * `/todos/:id`), or `null` for files that are not routes: `_app.tsx`, anything whose path
 * has a segment starting with `_`, tests (`*_test.ts`) and non-script files.
 * `index` maps to its folder, `[name]` to a parameter, `[...name]` to the rest of the path,
 * `(group)` folders are left out of the URL.
 */
export function routePattern(file: string): string | null {
  if (!ROUTE_FILE.test(file) || /_test\.(tsx|ts|jsx|js)$/.test(file)) return null;
  const segments = file.replace(ROUTE_FILE, "").split("/");
  if (segments.some((segment) => segment.startsWith("_"))) return null;
  if (segments.at(-1) === "index") segments.pop();
  const parts: string[] = [];
  for (const segment of segments) {
    if (/^\(.+\)$/.test(segment)) continue;
    const rest = segment.match(/^\[\.\.\.([A-Za-z_][A-Za-z0-9_]*)\]$/);
    const param = segment.match(/^\[([A-Za-z_][A-Za-z0-9_]*)\]$/);
    if (rest) parts.push(`:${rest[1]}{.+}`);
    else if (param) parts.push(`:${param[1]}`);
    else if (/[[\]{}:*]/.test(segment)) throw new Error(`Unsupported route file name: ${file}`);
    else parts.push(segment);
  }
  return "/" + parts.join("/");
}

/** Sorts patterns so the most specific wins: static segments before parameters, rest last. */
export function sortPatterns(patterns: string[]): string[] {
  const rank = (segment: string) => segment.endsWith("{.+}") ? 2 : segment.startsWith(":") ? 1 : 0;
  return patterns.toSorted((a, b) => {
    const as = a.split("/"), bs = b.split("/");
    for (let i = 0; i < Math.min(as.length, bs.length); i++) {
      const diff = rank(as[i]) - rank(bs[i]);
      if (diff !== 0) return diff;
    }
    return bs.length - as.length || (a < b ? -1 : a > b ? 1 : 0);
  });
}

/** The island name for a file path relative to `islands/`: `TodoList.tsx` -> `TodoList`. */
export function islandName(file: string): string {
  return file.replace(ROUTE_FILE, "").replaceAll("/", "-");
}
