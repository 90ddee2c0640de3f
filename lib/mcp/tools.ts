/**
 * The six todo tools, defined once per app (per isolate): their schemas (JSON Schemas built
 * once), annotations and handlers. Handlers take the user from the request's context, so the
 * same definitions serve every request; `toolRegistrar` adds them to a per-request server.
 */
import { z } from "zod";
import {
  createTodo,
  deleteTodo,
  type ListAt,
  MAX_TEXT_LENGTH,
  readList,
  updateTodo,
} from "../todos/mod.ts";
import { Todo, TodoId, TodoText } from "../todos/rules.ts";
import { VIEW_TOOL_META } from "./app_resource.ts";
import { toolErrorResult } from "./errors.ts";
import { takeListMarker, userIdOf } from "./context.ts";
import { outputSchema, withCachedJsonSchema } from "./schemas.ts";
import type { CallToolResult, McpServer, ServerContext } from "./sdk.ts";

/** What a tool needs from the token: the read or the write scope (names in lib/auth/todo_scopes.ts). */
export type Access = "read" | "write";

/** Every tool this server offers and the access it needs; `lib/mcp/scopes.ts` enforces it. */
export const TOOL_ACCESS: Readonly<Record<string, Access>> = {
  listTodos: "read",
  createTodo: "write",
  markTodoComplete: "write",
  markTodoIncomplete: "write",
  updateTodo: "write",
  deleteTodo: "write",
};

// The todo rules (lib/todos/rules.ts) as tool inputs and outputs: the SDK checks arguments
// against them, and tools/list advertises their limits (maxLength, pattern) as JSON Schema.
const todoID = TodoId.describe("The id of the todo, as returned by listTodos.");
const todoText = (what: string) =>
  TodoText.describe(`${what}, 1 to ${MAX_TEXT_LENGTH} characters (trimmed).`);
const FILTER = z.enum(["all", "open", "completed"], {
  error: 'must be "all", "open" or "completed".',
});
type Filter = z.output<typeof FILTER>;

/** listTodos's arguments (also what bench/sdk_alone.ts registers). */
export const LIST_TODOS_INPUT = withCachedJsonSchema(z.object({
  filter: FILTER.default("all")
    .describe('Which todos to list: "all" (default), "open" or "completed".'),
}));

const ONE_TODO = outputSchema(z.object({ todo: Todo }));
const BY_ID = withCachedJsonSchema(z.object({ todoID }));

const WRITE = { readOnlyHint: false, openWorldHint: false } as const;

/** A tool's handler: the validated arguments, the user the request acts for, its context. */
type Run<A> = (
  kv: Deno.Kv,
  userId: string,
  args: A,
  ctx: ServerContext,
) => Promise<Record<string, unknown>>;

/** A handler bound to the app's store, answering a tool call for the request's user. */
type Bind = <A>(run: Run<A>) => (args: A, ctx: ServerContext) => Promise<CallToolResult>;

/**
 * Builds the six tools, bound to `kv`, once; the function returned adds those named in `names`
 * (or all) to a server, which costs no more than storing them.
 */
export function toolRegistrar(
  kv: Deno.Kv,
): (server: McpServer, names: "all" | ReadonlySet<string>) => void {
  const bind: Bind = (run) => (args, ctx) => toolResult(() => run(kv, userIdOf(ctx), args, ctx));
  const list = listTodosTool(bind);
  const { create, markComplete, markIncomplete, update, remove } = changeTools(bind);
  const tools: Record<string, (server: McpServer) => void> = {
    listTodos: (server) => server.registerTool("listTodos", list.config, list.handler),
    createTodo: (server) => server.registerTool("createTodo", create.config, create.handler),
    markTodoComplete: (server) =>
      server.registerTool("markTodoComplete", markComplete.config, markComplete.handler),
    markTodoIncomplete: (server) =>
      server.registerTool("markTodoIncomplete", markIncomplete.config, markIncomplete.handler),
    updateTodo: (server) => server.registerTool("updateTodo", update.config, update.handler),
    deleteTodo: (server) => server.registerTool("deleteTodo", remove.config, remove.handler),
  };
  const order = Object.keys(tools);
  return (server, names) => {
    for (const name of order) {
      if (names === "all" || names.has(name)) tools[name](server);
    }
  };
}

/** The tool that reads the list (and shows it as the MCP App where the host can). */
function listTodosTool(bind: Bind) {
  return {
    config: {
      title: "List todos",
      description: "Lists the todos in the order they were created. " +
        'Pass filter "open" or "completed" to see only those.',
      inputSchema: LIST_TODOS_INPUT,
      outputSchema: outputSchema(z.object({
        filter: FILTER,
        todos: z.array(Todo),
        counts: z.object({ open: z.number(), completed: z.number() })
          .describe("How many todos are open and completed in the whole list."),
      })),
      annotations: { readOnlyHint: true, openWorldHint: false },
      // Hosts that render MCP Apps show the list itself (always declared: a stateless
      // 2025-era server cannot see the client's extensions; other hosts ignore `_meta`).
      _meta: VIEW_TOOL_META,
    },
    handler: bind<{ filter: Filter }>(async (kv, userId, { filter }, ctx) =>
      listAnswer(await readList(kv, userId, takeListMarker(ctx)), filter)
    ),
  };
}

/** The five tools that change todos. */
function changeTools(bind: Bind) {
  const create = {
    config: {
      title: "Create a todo",
      description: "Adds a new, open todo and returns it with its id.",
      inputSchema: withCachedJsonSchema(
        z.object({ todoText: todoText("What needs doing") }),
      ),
      outputSchema: ONE_TODO,
      annotations: { ...WRITE, destructiveHint: false, idempotentHint: false },
    },
    handler: bind<{ todoText: string }>(async (kv, userId, { todoText }) => ({
      todo: await createTodo(kv, userId, todoText),
    })),
  };

  const markTool = (completed: boolean) => ({
    config: {
      title: completed ? "Mark a todo complete" : "Mark a todo incomplete",
      description: completed
        ? "Marks a todo as done. Doing it again changes nothing."
        : "Marks a completed todo as open again. Doing it again changes nothing.",
      inputSchema: BY_ID,
      outputSchema: ONE_TODO,
      annotations: { ...WRITE, destructiveHint: false, idempotentHint: true },
    },
    handler: bind<{ todoID: string }>(async (kv, userId, { todoID }) => ({
      todo: await updateTodo(kv, userId, todoID, { completed }),
    })),
  });

  const update = {
    config: {
      title: "Change a todo's text",
      description: "Replaces a todo's text; its completion state stays as it is.",
      inputSchema: withCachedJsonSchema(
        z.object({ todoID, text: todoText("The new text") }),
      ),
      outputSchema: ONE_TODO,
      annotations: { ...WRITE, destructiveHint: true, idempotentHint: true },
    },
    handler: bind<{ todoID: string; text: string }>(async (kv, userId, { todoID, text }) => ({
      todo: await updateTodo(kv, userId, todoID, { text }),
    })),
  };

  const remove = {
    config: {
      title: "Delete a todo",
      description: "Deletes a todo for good and returns what it was.",
      inputSchema: BY_ID,
      outputSchema: outputSchema(z.object({ deleted: Todo })),
      annotations: { ...WRITE, destructiveHint: true, idempotentHint: true },
    },
    handler: bind<{ todoID: string }>(async (kv, userId, { todoID }) => ({
      deleted: await deleteTodo(kv, userId, todoID),
    })),
  };

  return { create, markComplete: markTool(true), markIncomplete: markTool(false), update, remove };
}

/**
 * listTodos answers of kept lists (lib/todos/list_cache.ts), per filter. A kept list is one
 * object until the user's next change, so repeated reads answer the same value, serialised once
 * ({@linkcode jsonTexts}), instead of filtering, counting and serialising again.
 */
const listAnswers = new WeakMap<ListAt, Map<Filter, Record<string, unknown>>>();

/** The JSON text of each kept answer, built when it is kept. */
const jsonTexts = new WeakMap<object, string>();

/** The listTodos answer for `list`: the todos that pass `filter`, and the whole list's counts. */
export function listAnswer(list: ListAt, filter: Filter): Record<string, unknown> {
  const kept = listAnswers.get(list)?.get(filter);
  if (kept) return kept;
  const all = list.todos;
  const open = all.filter((todo) => !todo.completed);
  const answer = {
    filter,
    // A copy, also of the whole list: V8 serialises a frozen array (kept lists are frozen) more
    // slowly, and the SDK serialises this array again in every answer.
    todos: filter === "open"
      ? open
      : filter === "completed"
      ? all.filter((todo) => todo.completed)
      : all.slice(),
    counts: { open: open.length, completed: all.length - open.length },
  };
  if (list.versionstamp !== null) {
    let answers = listAnswers.get(list);
    if (!answers) listAnswers.set(list, answers = new Map());
    answers.set(filter, answer);
    jsonTexts.set(answer, JSON.stringify(answer));
  }
  return answer;
}

/**
 * Runs a tool body: its value becomes `structuredContent` and, as JSON, the text content; a
 * thrown error becomes an `isError` result (lib/mcp/errors.ts).
 */
async function toolResult(run: () => Promise<Record<string, unknown>>): Promise<CallToolResult> {
  try {
    const value = await run();
    const text = jsonTexts.get(value) ?? JSON.stringify(value);
    return { content: [{ type: "text", text }], structuredContent: value };
  } catch (error) {
    return toolErrorResult(error);
  }
}
