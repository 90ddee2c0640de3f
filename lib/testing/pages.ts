/** A page app like `createApp`'s over a test manifest, for the page layer's own tests. */
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { jsonErrorResponse, jsonNotFound } from "../http/errors.ts";
import { everyRequest } from "../http/middleware.ts";
import { createPages, type FreshConfig, type Manifest } from "../pages/mod.ts";
import { createTestApp, TEST_ORIGIN } from "./app.ts";

export interface PagesTestApp extends Disposable {
  /** `app.fetch` with a path relative to {@linkcode TEST_ORIGIN}. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

/** Serves `manifest` as lib/app.ts serves pages.gen.ts: what every request passes, pages last. */
export async function createPagesTestApp(
  manifest: Manifest,
  config: FreshConfig = {},
): Promise<PagesTestApp> {
  const test = await createTestApp();
  const app = new Hono<AppEnv>();
  app.use(everyRequest(test.deps));
  app.onError(jsonErrorResponse);
  app.notFound(jsonNotFound);
  app.route("/", createPages(manifest, config));
  return {
    request: (path, init) =>
      Promise.resolve(app.fetch(new Request(new URL(path, TEST_ORIGIN), init))),
    [Symbol.dispose]: () => test[Symbol.dispose](),
  };
}
