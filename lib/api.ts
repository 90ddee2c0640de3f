/**
 * REST API for the browser, mounted at `/api`. Compatible with the reference app's client
 * (`GET/POST /todos`, `POST /todos/:id/complete`, `DELETE /todos/:id`) plus `PATCH` for
 * edits. Every answer to a successful call is the user's whole list, `{todos}`.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { PayloadTooLargeError } from "./errors.ts";
import type { AppEnv } from "./http/context.ts";
import { readJsonBody } from "./http/json_body.ts";
import { refuseCrossSiteWrites, requireUser } from "./http/middleware.ts";
import { createTodo, deleteTodo, listTodos, updateTodo } from "./todos.ts";

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

/** The user's whole list, the body of every successful answer. */
async function todosOf({ deps, user }: AppEnv["Variables"]) {
  return { todos: await listTodos(deps.kv, user.id) };
}

/** Builds the `/api` sub-app. */
export function createApiApp(): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.use(refuseCrossSiteWrites());
  api.use(requireUser());
  api.use(bodyLimit({
    maxSize: MAX_API_BODY_BYTES,
    onError: () => {
      throw new PayloadTooLargeError(MAX_API_BODY_BYTES);
    },
  }));

  api.get("/todos", async (c) => c.json(await todosOf(c.var)));

  api.post("/todos", async (c) => {
    const { todoText } = await readJsonBody(c, CreateBody);
    await createTodo(c.var.deps.kv, c.var.user.id, todoText);
    return c.json(await todosOf(c.var), 201);
  });

  api.post("/todos/:id/complete", async (c) => {
    await updateTodo(c.var.deps.kv, c.var.user.id, c.req.param("id"), { completed: true });
    return c.json(await todosOf(c.var));
  });

  api.patch("/todos/:id", async (c) => {
    const changes = await readJsonBody(c, PatchBody);
    await updateTodo(c.var.deps.kv, c.var.user.id, c.req.param("id"), changes);
    return c.json(await todosOf(c.var));
  });

  api.delete("/todos/:id", async (c) => {
    await deleteTodo(c.var.deps.kv, c.var.user.id, c.req.param("id"));
    return c.json(await todosOf(c.var));
  });

  return api;
}
