/** The `reviewOpenTodos` prompt, defined once per app; the user comes from the context. */
import { z } from "zod";
import { listTodos } from "../todos/mod.ts";
import { userIdOf } from "./context.ts";
import { withCachedJsonSchema } from "./schemas.ts";
import type { McpServer, ServerContext } from "./sdk.ts";

const ARGS = withCachedJsonSchema(z.object({
  focus: z.string({ error: "must be a string of at most 200 characters." }).max(200)
    .optional().describe('Optional angle for the review, e.g. "today" or "work".'),
}));

/** Adds the prompt, bound to `kv`, to `server`. */
export function promptRegistrar(kv: Deno.Kv): (server: McpServer) => void {
  const config = {
    title: "Review my open todos",
    description: "Reviews the open todos: what to do first, what to merge, reword or drop.",
    argsSchema: ARGS,
  };
  const get = async ({ focus }: { focus?: string }, ctx: ServerContext) => {
    const open = (await listTodos(kv, userIdOf(ctx))).filter((todo) => !todo.completed);
    const ask = open.length === 0
      ? "I have no open todos. Ask me what I want to get done and offer to add it with createTodo."
      : "Review my open todos below. Suggest which to do first and why, point out duplicates " +
        "or vague ones, and propose concrete changes. Ask before changing anything; then use " +
        "markTodoComplete, updateTodo or deleteTodo with the ids shown.";
    const angle = focus?.trim() ? `\nFocus: ${focus.trim()}` : "";
    return {
      description: `Review of ${open.length} open todo${open.length === 1 ? "" : "s"}`,
      messages: [{
        role: "user" as const,
        content: {
          type: "text" as const,
          text: `${ask}${angle}\n\nOpen todos (JSON):\n${JSON.stringify(open)}`,
        },
      }],
    };
  };
  return (server) => {
    server.registerPrompt("reviewOpenTodos", config, get);
  };
}
