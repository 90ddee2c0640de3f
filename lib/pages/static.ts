/**
 * Serves `static/` at `/`. Hashed island bundles (`/_islands/*`) and URLs versioned by
 * `asset()` (`?v=`) are cached for a year; other files are revalidated on each use.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../http/context.ts";
import { STATIC_DIR } from "./assets.ts";

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
  webmanifest: "application/manifest+json",
};

/** Middleware answering GET/HEAD for files under `dir`; anything else falls through. */
export function serveStatic(dir: URL = STATIC_DIR) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return await next();
    const url = new URL(c.req.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return await next();
    }
    const extension = path.match(/\.([a-z0-9]+)$/)?.[1];
    // Only plain relative paths: no dot segments, backslashes, NULs, or hidden files.
    if (!extension || !TYPES[extension] || /(^|\/)\.|\\|\0/.test(path)) return await next();
    let file: Deno.FsFile;
    try {
      file = await Deno.open(new URL(`.${path}`, dir));
      if (!(await file.stat()).isFile) {
        file.close();
        return await next();
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory) {
        return await next();
      }
      throw error;
    }
    const immutable = path.startsWith("/_islands/") || url.searchParams.has("v");
    const headers = {
      "Content-Type": TYPES[extension],
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    };
    if (c.req.method === "HEAD") {
      file.close();
      return c.body(null, 200, headers);
    }
    return c.body(file.readable, 200, headers);
  });
}
