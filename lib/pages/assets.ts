/**
 * The build (`static/_islands/manifest.json`, written by `deno task build`): which bundle
 * hydrates which island, the build id that versions static asset URLs, and the list of
 * static files the server may serve.
 */
import type { StaticFiles } from "./static_files.ts";

export interface IslandBuild {
  buildId: string;
  /** Island name -> URL path of its entry bundle, e.g. `/_islands/TodoList-1a2b3c4d.js`. */
  islands: Record<string, string>;
  /** Island name -> the chunks its entry imports, for `<link rel="modulepreload">`. */
  preload?: Record<string, string[]>;
  /** Every servable file under `static/` (URL path -> type, size, hash); nothing else is served. */
  files?: StaticFiles;
}

/** Where static files live (served at `/`). */
export const STATIC_DIR = new URL("../../static/", import.meta.url);
/** Where `deno task build` writes island bundles (served at `/_islands/`). */
export const ISLANDS_DIR = new URL("_islands/", STATIC_DIR);

let current: IslandBuild | null = null;

/**
 * Reads the build once; without one, pages render without island scripts and no static file
 * is served (and it says so).
 */
export function loadIslandBuild(): IslandBuild {
  if (current) return current;
  try {
    current = JSON.parse(Deno.readTextFileSync(new URL("manifest.json", ISLANDS_DIR)));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.warn(
      "No build found: run `deno task build`. Pages will work without islands or static files.",
    );
    current = { buildId: "dev", islands: {}, files: {} };
  }
  if (!current!.files) {
    console.warn("The build lists no static files (built by an older version): run the build.");
  }
  return current!;
}

/** Like Fresh's `asset()`: adds the build id to a static file's URL so it can be cached for long. */
export function asset(path: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}v=${loadIslandBuild().buildId}`;
}
