/**
 * The todo resources, defined once per app: `todoapp://todos` (the whole list) and the
 * template `todoapp://todos/{id}` (one todo, each also listed). Handlers take the user from
 * the request's context. An unknown id is the SDK's resource-not-found error (-32602 with
 * `data.uri`; lib/mcp/legacy.ts answers 2025-era clients with -32002 as before).
 */
import { NotFoundError } from "../errors.ts";
import { getTodo, listTodos, type Todo } from "../todos/mod.ts";
import { userIdOf } from "./context.ts";
import { type McpServer, ResourceNotFoundError, ResourceTemplate } from "./sdk.ts";

export const TODOS_URI = "todoapp://todos";
export const TODO_URI_TEMPLATE = "todoapp://todos/{id}";

/** Todo data is per user and changes on every write: clients keep no copy (see docs/mcp.md). */
const UNCACHED = { ttlMs: 0, cacheScope: "private" } as const;

/** `todoapp://todos/<id>` */
export function todoUri(todo: Pick<Todo, "id">): string {
  return `${TODOS_URI}/${todo.id}`;
}

/** Adds the two resources, bound to `kv`, to `server`. */
export function resourceRegistrar(kv: Deno.Kv): (server: McpServer) => void {
  const listConfig = {
    title: "All todos",
    description: "The whole todo list as JSON, in the order the todos were created.",
    mimeType: "application/json",
    cacheHint: UNCACHED,
  };
  const readList = async (uri: URL, ctx: Parameters<typeof userIdOf>[0]) => ({
    contents: [{
      uri: uri.href,
      mimeType: "application/json",
      text: JSON.stringify({ todos: await listTodos(kv, userIdOf(ctx)) }),
    }],
  });
  const template = new ResourceTemplate(TODO_URI_TEMPLATE, {
    list: async (ctx) => ({
      resources: (await listTodos(kv, userIdOf(ctx))).map((todo) => ({
        uri: todoUri(todo),
        name: todo.text,
        description: todo.completed ? "Completed todo" : "Open todo",
        mimeType: "application/json",
      })),
    }),
  });
  const oneConfig = {
    title: "One todo",
    description: "A single todo as JSON.",
    mimeType: "application/json",
    cacheHint: UNCACHED,
  };
  const readOne = async (
    uri: URL,
    { id }: Record<string, string | string[]>,
    ctx: Parameters<typeof userIdOf>[0],
  ) => {
    let todo: Todo;
    try {
      todo = await getTodo(kv, userIdOf(ctx), String(id));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      throw new ResourceNotFoundError(uri.href);
    }
    return {
      contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(todo) }],
    };
  };
  return (server) => {
    server.registerResource("todos", TODOS_URI, listConfig, readList);
    server.registerResource("todo", template, oneConfig, readOne);
  };
}
