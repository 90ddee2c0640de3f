/**
 * The REST routes under `/api/todos`. Bodies are the todo rules (lib/todos/rules.ts) in
 * request shapes, so a body that breaks a rule is a 400 `invalid_request` naming the field.
 * A write answers what it changed, so its cost does not grow with the list: a created or
 * changed todo as `{todo}`, a deletion as `{undo}` (its token and the deleted todos). The two
 * calls that can change every todo, `PATCH /todos` and `POST /todos/undo`, answer the whole
 * list, `{todos}`, like `GET /todos`. Successful writes say which version they left the list
 * at (`X-Todos-Version`), so a page can ignore streamed lists older than what it shows.
 */
import { Hono } from "hono";
import { z } from "zod";
import { ValidationError } from "../errors.ts";
import type { AppEnv } from "../http/context.ts";
import { readJsonBody } from "../http/json_body.ts";
import { setResponseHeader } from "../http/middleware.ts";
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
} from "../todos/mod.ts";
import { TodoChanges, TodoCompleted, TodoText } from "../todos/rules.ts";

/** `POST /todos`: the reference app's field name for the text. */
const CreateBody = z.object({ todoText: TodoText });

/** `PATCH /todos`: mark every todo complete or incomplete. */
const AllBody = z.strictObject({ completed: TodoCompleted });

/** `POST /todos/undo`: the token a deletion answered. */
const UndoBody = z.strictObject({
  token: z.string({ error: "token must be a string" }).max(100),
});

/** The user's whole list: the answer of `GET /todos` and of the writes that can change all. */
async function todosOf({ deps, user }: AppEnv["Variables"]) {
  return { todos: await listTodos(deps.kv, user.id) };
}

/** What a deletion answer adds: the token `POST /todos/undo` takes, and what was deleted. */
const undoOf = ({ token, todos }: Deletion) => ({ token, count: todos.length, todos });

/** The `/todos` routes, for a signed-in user (the `/api` app checks that before). */
export function createTodoRoutes(): Hono<AppEnv> {
  const todos = new Hono<AppEnv>();

  todos.on(["POST", "PATCH", "DELETE"], ["/", "/*"], async (c, next) => {
    await next();
    if (c.res.ok) {
      const version = await getTodosVersion(c.var.deps.kv, c.var.user.id);
      setResponseHeader(c, "X-Todos-Version", String(version));
    }
  });

  todos.get("/", async (c) => c.json(await todosOf(c.var)));

  todos.patch("/", async (c) => {
    const { completed } = await readJsonBody(c, AllBody);
    await setAllCompleted(c.var.deps.kv, c.var.user.id, completed);
    return c.json(await todosOf(c.var));
  });

  todos.delete("/", async (c) => {
    if (c.req.query("completed") !== "true") {
      throw new ValidationError("Say which todos to delete: DELETE /api/todos?completed=true.");
    }
    const deletion = await clearCompleted(c.var.deps.kv, c.var.user.id);
    return c.json({ undo: undoOf(deletion) });
  });

  todos.post("/undo", async (c) => {
    const { token } = await readJsonBody(c, UndoBody);
    await undoDeletion(c.var.deps.kv, c.var.user.id, token);
    return c.json(await todosOf(c.var));
  });

  todos.post("/", async (c) => {
    const { todoText } = await readJsonBody(c, CreateBody);
    return c.json({ todo: await createTodo(c.var.deps.kv, c.var.user.id, todoText) }, 201);
  });

  todos.post("/:id/complete", async (c) => {
    const changes = { completed: true };
    return c.json({
      todo: await updateTodo(c.var.deps.kv, c.var.user.id, c.req.param("id"), changes),
    });
  });

  todos.patch("/:id", async (c) => {
    const changes = await readJsonBody(c, TodoChanges);
    return c.json({
      todo: await updateTodo(c.var.deps.kv, c.var.user.id, c.req.param("id"), changes),
    });
  });

  todos.delete("/:id", async (c) => {
    const deletion = await deleteTodoUndoably(c.var.deps.kv, c.var.user.id, c.req.param("id"));
    return c.json({ undo: undoOf(deletion) });
  });

  return todos;
}
