/**
 * REST API for the browser, mounted at `/api`. Compatible with the reference app's client
 * (`GET/POST /todos`, `POST /todos/:id/complete`, `DELETE /todos/:id`) plus `PATCH` for
 * edits, bulk changes (`PATCH /todos` marks all, `DELETE /todos?completed=true` clears the
 * completed ones), `POST /todos/undo` for the last deletion (./todos.ts), live sync
 * (`GET /todos/events`, ./events.ts) and `GET /session`. Answers are `no-store` and
 * compressed for clients that accept it (never event streams, which Hono's compression
 * leaves alone).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { PayloadTooLargeError } from "../errors.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonErrorResponse, routeNotFound } from "../http/errors.ts";
import {
  compressAnswers,
  refuseCrossSiteWrites,
  requireUser,
  setResponseHeader,
} from "../http/middleware.ts";
import { serveTodoEvents } from "./events.ts";
import { createTodoRoutes } from "./todos.ts";

/** Largest request body the API reads. */
const MAX_API_BODY_BYTES = 64 * 1024;

/** Builds the `/api` sub-app; its errors answer `{error: {code, message}}` (docs/api.md). */
export function createApiApp(): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.onError(jsonErrorResponse);
  api.use(compressAnswers());
  api.use(async (c, next) => {
    await next();
    setResponseHeader(c, "Cache-Control", "no-store"); // a user's todos: never kept by caches
  });
  api.use(refuseCrossSiteWrites());
  api.use(requireUser());
  api.use(bodyLimit({
    maxSize: MAX_API_BODY_BYTES,
    onError: () => {
      throw new PayloadTooLargeError(MAX_API_BODY_BYTES);
    },
  }));

  api.get("/session", (c) => c.json({ user: { email: c.var.user.email ?? null } }));
  api.get("/todos/events", serveTodoEvents);
  api.route("/todos", createTodoRoutes());
  // JSON even to a browser: no path under /api is a page.
  api.all("*", (c) => {
    throw routeNotFound(c);
  });
  return api;
}
