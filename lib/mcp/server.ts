/**
 * The MCP server definition: tools, resources and a prompt over the todo store, for one user.
 * A new server is built for every HTTP request (stateless), bound to the verified token's `sub`.
 */
import { type CallToolResult, McpError, McpServer, ResourceTemplate } from "./sdk.ts";
import { z } from "zod";
import { AppError, NotFoundError } from "../errors.ts";
import {
  createTodo,
  deleteTodo,
  getTodo,
  listTodos,
  MAX_TEXT_LENGTH,
  type Todo,
  updateTodo,
} from "../todos.ts";

/** What a tool needs from the token: the read or the write scope (names in `config.mcp`). */
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

export const TODOS_URI = "todoapp://todos";
export const TODO_URI_TEMPLATE = "todoapp://todos/{id}";
/** JSON-RPC error code for an unknown resource (MCP spec, "Resources: Error Handling"). */
export const RESOURCE_NOT_FOUND = -32002;

const SERVER_INFO = { name: "todo-app", title: "Todo app", version: "1.0.0" };

const INSTRUCTIONS = "Manages the signed-in person's todo list (the same list as the web app). " +
  "Call listTodos first to see todos and their ids; the other tools take a todoID from it. " +
  "Every tool answers with JSON of the new state.";

const TodoShape = z.object({
  id: z.string().describe("The todo's id."),
  text: z.string().describe("What needs doing."),
  completed: z.boolean().describe("True once done."),
  createdAt: z.string().describe("When it was created (ISO 8601)."),
  updatedAt: z.string().describe("When it last changed (ISO 8601)."),
});

const todoID = z.string().describe("The id of the todo, as returned by listTodos.");
const todoText = (what: string) =>
  z.string().describe(`${what}, 1 to ${MAX_TEXT_LENGTH} characters (trimmed).`);

export interface TodoMcpServerOptions {
  kv: Deno.Kv;
  /** The verified token's `sub`: every call reads and writes this user's todos only. */
  userId: string;
}

/** Builds an MCP server whose tools, resources and prompt act on `userId`'s todos. */
export function createTodoMcpServer({ kv, userId }: TodoMcpServerOptions): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  registerTools(server, kv, userId);
  registerResources(server, kv, userId);
  registerPrompts(server, kv, userId);
  return server;
}

function registerTools(server: McpServer, kv: Deno.Kv, userId: string) {
  server.registerTool("listTodos", {
    title: "List todos",
    description: "Lists the todos, open ones first, then oldest first. " +
      'Pass filter "open" or "completed" to see only those.',
    inputSchema: {
      filter: z.enum(["all", "open", "completed"]).default("all")
        .describe('Which todos to list: "all" (default), "open" or "completed".'),
    },
    outputSchema: {
      filter: z.enum(["all", "open", "completed"]),
      todos: z.array(TodoShape),
      counts: z.object({ open: z.number(), completed: z.number() })
        .describe("How many todos are open and completed in the whole list."),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, ({ filter }) =>
    toolResult(async () => {
      const all = await listTodos(kv, userId);
      const open = all.filter((todo) => !todo.completed);
      const todos = filter === "open"
        ? open
        : filter === "completed"
        ? all.filter((todo) => todo.completed)
        : all;
      return { filter, todos, counts: { open: open.length, completed: all.length - open.length } };
    }));

  server.registerTool("createTodo", {
    title: "Create a todo",
    description: "Adds a new, open todo and returns it with its id.",
    inputSchema: { todoText: todoText("What needs doing") },
    outputSchema: { todo: TodoShape },
    annotations: {
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: false,
    },
  }, ({ todoText }) => toolResult(async () => ({ todo: await createTodo(kv, userId, todoText) })));

  for (
    const [name, completed] of [["markTodoComplete", true], ["markTodoIncomplete", false]] as const
  ) {
    server.registerTool(
      name,
      {
        title: completed ? "Mark a todo complete" : "Mark a todo incomplete",
        description: completed
          ? "Marks a todo as done. Doing it again changes nothing."
          : "Marks a completed todo as open again. Doing it again changes nothing.",
        inputSchema: { todoID },
        outputSchema: { todo: TodoShape },
        annotations: {
          readOnlyHint: false,
          destructiveHint: false,
          idempotentHint: true,
          openWorldHint: false,
        },
      },
      ({ todoID }) =>
        toolResult(async () => ({ todo: await updateTodo(kv, userId, todoID, { completed }) })),
    );
  }

  server.registerTool(
    "updateTodo",
    {
      title: "Change a todo's text",
      description: "Replaces a todo's text; its completion state stays as it is.",
      inputSchema: { todoID, text: todoText("The new text") },
      outputSchema: { todo: TodoShape },
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    ({ todoID, text }) =>
      toolResult(async () => ({ todo: await updateTodo(kv, userId, todoID, { text }) })),
  );

  server.registerTool("deleteTodo", {
    title: "Delete a todo",
    description: "Deletes a todo for good and returns what it was.",
    inputSchema: { todoID },
    outputSchema: { deleted: TodoShape },
    annotations: {
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: false,
    },
  }, ({ todoID }) => toolResult(async () => ({ deleted: await deleteTodo(kv, userId, todoID) })));
}

function registerResources(server: McpServer, kv: Deno.Kv, userId: string) {
  server.registerResource("todos", TODOS_URI, {
    title: "All todos",
    description: "The whole todo list as JSON, open ones first.",
    mimeType: "application/json",
  }, async (uri) => ({
    contents: [{
      uri: uri.href,
      mimeType: "application/json",
      text: JSON.stringify({ todos: await listTodos(kv, userId) }),
    }],
  }));

  server.registerResource(
    "todo",
    new ResourceTemplate(TODO_URI_TEMPLATE, {
      list: async () => ({
        resources: (await listTodos(kv, userId)).map((todo) => ({
          uri: todoUri(todo),
          name: todo.text,
          description: todo.completed ? "Completed todo" : "Open todo",
          mimeType: "application/json",
        })),
      }),
    }),
    { title: "One todo", description: "A single todo as JSON.", mimeType: "application/json" },
    async (uri, { id }) => {
      let todo: Todo;
      try {
        todo = await getTodo(kv, userId, String(id));
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        throw new McpError(RESOURCE_NOT_FOUND, "Resource not found", { uri: uri.href });
      }
      return {
        contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(todo) }],
      };
    },
  );
}

function registerPrompts(server: McpServer, kv: Deno.Kv, userId: string) {
  server.registerPrompt("reviewOpenTodos", {
    title: "Review my open todos",
    description: "Reviews the open todos: what to do first, what to merge, reword or drop.",
    argsSchema: {
      focus: z.string().max(200).optional()
        .describe('Optional angle for the review, e.g. "today" or "work".'),
    },
  }, async ({ focus }) => {
    const open = (await listTodos(kv, userId)).filter((todo) => !todo.completed);
    const ask = open.length === 0
      ? "I have no open todos. Ask me what I want to get done and offer to add it with createTodo."
      : "Review my open todos below. Suggest which to do first and why, point out duplicates " +
        "or vague ones, and propose concrete changes. Ask before changing anything; then use " +
        "markTodoComplete, updateTodo or deleteTodo with the ids shown.";
    const angle = focus?.trim() ? `\nFocus: ${focus.trim()}` : "";
    return {
      description: `Review of ${open.length} open todo${open.length === 1 ? "" : "s"}`,
      messages: [{
        role: "user",
        content: {
          type: "text",
          text: `${ask}${angle}\n\nOpen todos (JSON):\n${JSON.stringify(open)}`,
        },
      }],
    };
  });
}

/** `todoapp://todos/<id>` */
export function todoUri(todo: Pick<Todo, "id">): string {
  return `${TODOS_URI}/${todo.id}`;
}

/**
 * Runs a tool body: its value becomes `structuredContent` and, as JSON, the text content. A
 * client's mistake (any `AppError` below 500) becomes an `isError` result with its message;
 * anything else is logged and answered without details.
 */
async function toolResult(run: () => Promise<Record<string, unknown>>): Promise<CallToolResult> {
  try {
    const value = await run();
    return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return toolError(error.message);
    console.error("MCP tool failed:", error);
    return toolError("Something went wrong on our side; try again.");
  }
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}
