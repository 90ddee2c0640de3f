/**
 * Serves `static/` at `/` from the list of files made at build time (`static_files.ts`):
 * a request path is served only when it is, exactly, a listed path. Nothing is resolved
 * against the file system from the request, so no spelling (encoded dots or slashes,
 * double encoding, backslashes, overlong UTF-8, dot segments, NUL, an encoded `?` or `#`)
 * can name a file outside `static/`: all of them are simply not in the list (404).
 *
 * Hashed island bundles (`/_islands/*`) and URLs versioned by `asset()` (`?v=`) are cached
 * for a year; other files are revalidated on each use (`ETag`, 304).
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../http/context.ts";
import { loadIslandBuild, STATIC_DIR } from "./assets.ts";
import type { StaticFile, StaticFiles } from "./static_files.ts";

/**
 * The path of a raw request URL (`scheme://authority/path?query#fragment`), as the client
 * sent it: not decoded and not normalised (`new URL()` would resolve `/x/../`).
 */
function rawPath(url: string): string | null {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start === -1) return null;
  const end = url.slice(start).search(/[?#]/);
  return end === -1 ? url.slice(start) : url.slice(start, start + end);
}

/**
 * The listed file `url` names, or undefined. The path is decoded exactly once and must be
 * the listed path itself: listed names use only unreserved characters, so each has one
 * spelling and any escape (even of a harmless character) is refused.
 */
function findStaticFile(
  files: ReadonlyMap<string, StaticFile>,
  url: string,
): { path: string; file: StaticFile } | undefined {
  const path = rawPath(url);
  if (path === null) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded !== path) return undefined;
  const file = files.get(decoded);
  return file && { path: decoded, file };
}

/** True when an `If-None-Match` header value matches `etag` (weak comparison, RFC 9110). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
  });
}

/**
 * Middleware answering GET/HEAD for the files in `files` (default: the build's list),
 * read from `dir`; any other path falls through (404).
 */
export function serveStatic(dir: URL = STATIC_DIR, files?: StaticFiles) {
  let listed: Map<string, StaticFile> | undefined;
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return await next();
    listed ??= new Map(Object.entries(files ?? loadIslandBuild().files ?? {}));
    const found = findStaticFile(listed, c.req.url);
    if (!found) return await next();
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await Deno.readFile(new URL(`.${found.path}`, dir));
    } catch (error) {
      // Listed at build time but removed since: as if it had never been there.
      if (error instanceof Deno.errors.NotFound) return await next();
      throw error;
    }
    const immutable = found.path.startsWith("/_islands/") || c.req.query("v") !== undefined;
    const etag = `"${found.file.hash}"`;
    const headers = {
      "Content-Type": found.file.type,
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      ETag: etag,
    };
    if (matches(c.req.header("If-None-Match"), etag)) return c.body(null, 304, headers);
    if (c.req.method === "HEAD") return c.body(null, 200, headers);
    return c.body(bytes, 200, { ...headers, "Content-Length": String(bytes.length) });
  });
}
