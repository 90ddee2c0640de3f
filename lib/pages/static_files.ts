/**
 * The list of servable static files, made at build time: `deno task build` walks `static/`
 * and records every file it may serve (URL path -> content type, size, hash) in
 * `static/_islands/manifest.json`. The server answers only paths in that list (`static.ts`).
 */

/** One servable file. */
export interface StaticFile {
  /** `Content-Type` header value. */
  type: string;
  /** Size in bytes when built. */
  size: number;
  /** First 16 hex digits of the SHA-256 of the content (the `ETag`). */
  hash: string;
}

/** URL path (e.g. `/styles.css`, `/_islands/TodoList-1a2b.js`) -> file. */
export type StaticFiles = Record<string, StaticFile>;

/** Extension -> content type: the only kinds of file `static/` serves. */
export const STATIC_TYPES: Readonly<Record<string, string>> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  webp: "image/webp",
  ico: "image/x-icon",
  woff2: "font/woff2",
  txt: "text/plain; charset=utf-8",
  webmanifest: "application/manifest+json",
};

/**
 * A name the list accepts: unreserved URL characters only (so its URL needs no escapes and
 * has exactly one spelling), not hidden (`.`), not ending in a dot.
 */
const SAFE_NAME = /^[A-Za-z0-9_-](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?$/;

/** Files the build writes for itself: never served. */
const NOT_SERVED = new Set(["/_islands/manifest.json"]);

/** What {@linkcode listStaticFiles} found: the servable files and what it left out, and why. */
export interface StaticListing {
  files: StaticFiles;
  skipped: string[];
}

/** The SHA-256 of `bytes` as lowercase hex. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Walks `dir` and lists every file it may serve, sorted by path. Leaves out hidden entries,
 * symbolic links, names outside {@linkcode SAFE_NAME} and extensions outside
 * {@linkcode STATIC_TYPES}, naming each in `skipped`.
 */
export async function listStaticFiles(dir: URL): Promise<StaticListing> {
  const found: [string, StaticFile][] = [];
  const skipped: string[] = [];
  const walk = async (sub: string) => {
    const entries = await Array.fromAsync(Deno.readDir(new URL(sub, dir)));
    for (const entry of entries.toSorted((a, b) => a.name < b.name ? -1 : 1)) {
      const path = `/${sub}${entry.name}`;
      if (entry.name.startsWith(".")) continue; // hidden, or the build's own .lock and .tmp/
      if (NOT_SERVED.has(path)) continue;
      if (entry.isSymlink) {
        skipped.push(`${path}: a symbolic link (copy the file instead)`);
      } else if (!SAFE_NAME.test(entry.name)) {
        skipped.push(`${path}: use only letters, digits, ".", "_" and "-" in static file names`);
      } else if (entry.isDirectory) {
        await walk(`${sub}${entry.name}/`);
      } else {
        const type = STATIC_TYPES[entry.name.match(/\.([a-z0-9]+)$/)?.[1] ?? ""];
        if (!type) {
          skipped.push(`${path}: not a served file type (${Object.keys(STATIC_TYPES).join(", ")})`);
          continue;
        }
        const bytes = await Deno.readFile(new URL(`${sub}${entry.name}`, dir));
        const hash = (await sha256Hex(bytes)).slice(0, 16);
        found.push([path, { type, size: bytes.length, hash }]);
      }
    }
  };
  await walk("");
  return { files: Object.fromEntries(found), skipped };
}
