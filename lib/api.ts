/**
 * REST API for the browser, mounted at `/api`. Compatible with the reference app's client
 * (`GET/POST /todos`, `POST /todos/:id/complete`, `DELETE /todos/:id`) plus `PATCH` for
 * edits, bulk changes (`PATCH /todos` marks all, `DELETE /todos?completed=true` clears the
 * completed ones), `POST /todos/undo` for the last deletion, and `GET /session`. A write
 * answers what it changed, so its cost does not grow with the list: a created or changed todo
 * as `{todo}`, a deletion as `{undo}` (its token and the deleted todos). The two calls that can
 * change every todo, `PATCH /todos` and `POST /todos/undo`, answer the whole list, `{todos}`,
 * like `GET /todos`. Answers are `no-store` and compressed for clients that accept it (never
 * event streams, which Hono's compression leaves alone).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { compress } from "hono/compress";
import { z } from "zod";
import { PayloadTooLargeError, ValidationError } from "./errors.ts";
import type { AppEnv } from "./http/context.ts";
import { readJsonBody } from "./http/json_body.ts";
import { serveTodoEvents } from "./api_events.ts";
import { refuseCrossSiteWrites, requireUser, setResponseHeader } from "./http/middleware.ts";
import {
  clearCompleted,
  createTodo,
  deleteTodoUndoably,
  type Deletion,
  getTodosVersion,
  listTodos,
  setAllCompleted,
  undoDeletion,
  updateTodo,
} from "./todos.ts";

export const MAX_API_BODY_BYTES = 64 * 1024;

const CreateBody = z.object({
  todoText: z.string({ error: "todoText must be a string" }),
});

const PatchBody = z.strictObject({
  text: z.string({ error: "text must be a string" }).optional(),
  completed: z.boolean({ error: "completed must be true or false" }).optional(),
}).refine((body) => body.text !== undefined || body.completed !== undefined, {
  message: "Send text, completed, or both.",
});

const AllBody = z.strictObject({
  completed: z.boolean({ error: "completed must be true or false" }),
});

const UndoBody = z.strictObject({
  token: z.string({ error: "token must be a string" }).max(100),
});

/** The user's whole list: the answer of `GET /todos` and of the writes that can change all. */
async function todosOf({ deps, user }: AppEnv["Variables"]) {
  return { todos: await listTodos(deps.kv, user.id) };
}

/** What a deletion answer adds: the token `POST /todos/undo` takes, and what was deleted. */
const undoOf = ({ token, todos }: Deletion) => ({ token, count: todos.length, todos });

/** Builds the `/api` sub-app. */
export function createApiApp(): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.use(compress());
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

  api.get("/todos", async (c) => c.json(await todosOf(c.var)));

  // Live sync (lib/api_events.ts); a successful write also says which version it left the
  // list at, so the page can ignore streamed lists older than what it already shows.
  api.get("/todos/events", serveTodoEvents);
  api.on(["POST", "PATCH", "DELETE"], ["/todos", "/todos/*"], async (c, next) => {
    await next();
    if (c.res.ok) {
      const version = await getTodosVersion(c.var.deps.kv, c.var.user.id);
      setResponseHeader(c, "X-Todos-Version", String(version));
    }
  });

  api.patch("/todos", async (c) => {
    const { completed } = await readJsonBody(c, AllBody);
    await setAllCompleted(c.var.deps.kv, c.var.user.id, completed);
    return c.json(await todosOf(c.var));
  });

  api.delete("/todos", async (c) => {
    if (c.req.query("completed") !== "true") {
      throw new ValidationError("Say which todos to delete: DELETE /api/todos?completed=true.");
    }
    const deletion = await clearCompleted(c.var.deps.kv, c.var.user.id);
    return c.json({ undo: undoOf(deletion) });
  });

  api.post("/todos/undo", async (c) => {
    const { token } = await readJsonBody(c, UndoBody);
    await undoDeletion(c.var.deps.kv, c.var.user.id, token);
    return c.json(await todosOf(c.var));
  });

  api.post("/todos", async (c) => {
    const { todoText } = await readJsonBody(c, CreateBody);
    return c.json({ todo: await createTodo(c.var.deps.kv, c.var.user.id, todoText) }, 201);
  });

  api.post("/todos/:id/complete", async (c) => {
    const id = c.req.param("id");
    return c.json({
      todo: await updateTodo(c.var.deps.kv, c.var.user.id, id, { completed: true }),
    });
  });

  api.patch("/todos/:id", async (c) => {
    const changes = await readJsonBody(c, PatchBody);
    return c.json({
      todo: await updateTodo(c.var.deps.kv, c.var.user.id, c.req.param("id"), changes),
    });
  });

  api.delete("/todos/:id", async (c) => {
    const deletion = await deleteTodoUndoably(c.var.deps.kv, c.var.user.id, c.req.param("id"));
    return c.json({ undo: undoOf(deletion) });
  });

  return api;
}
