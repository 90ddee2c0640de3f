import { AppHeader } from "../components/AppHeader.tsx";
import { AppError, ValidationError } from "../lib/errors.ts";
import { type Handlers, Head, type PageProps } from "../lib/pages/mod.ts";
import { loginUrl } from "../lib/pages/return_to.ts";
import { createTodo, deleteTodo, listTodos, type Todo, updateTodo } from "../lib/todos.ts";
import TodoList from "../islands/TodoList.tsx";

interface Data {
  todos: Todo[];
  error: string | null;
}

/** Applies one no-JavaScript form post (`action` = add | complete | incomplete | edit | delete). */
async function applyForm(kv: Deno.Kv, userId: string, form: FormData): Promise<void> {
  const action = form.get("action");
  const id = String(form.get("id") ?? "");
  switch (action) {
    case "add":
      await createTodo(kv, userId, form.get("text") ?? "");
      return;
    case "complete":
    case "incomplete":
      await updateTodo(kv, userId, id, { completed: action === "complete" });
      return;
    case "edit":
      await updateTodo(kv, userId, id, { text: String(form.get("text") ?? "") });
      return;
    case "delete":
      await deleteTodo(kv, userId, id);
      return;
    default:
      throw new ValidationError("Unknown action.");
  }
}

export const handler: Handlers<Data> = {
  async GET(ctx) {
    const { user, deps } = ctx.state;
    if (!user) return ctx.redirect(loginUrl(ctx.url), 302);
    return ctx.render({ todos: await listTodos(deps.kv, user.id), error: null });
  },
  // Without JavaScript the island's forms post here; with it, they call /api instead.
  async POST(ctx) {
    const { user, deps } = ctx.state;
    if (!user) return ctx.redirect(loginUrl(ctx.url));
    const form = await ctx.req.formData().catch(() => {
      throw new ValidationError("Send the form as form data.");
    });
    try {
      await applyForm(deps.kv, user.id, form);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const todos = await listTodos(deps.kv, user.id);
      return ctx.render({ todos, error: error.message }, { status: error.status });
    }
    return ctx.redirect("/todoapp");
  },
};

export default function TodoApp({ data, state }: PageProps<Data>) {
  const mcpUrl = `${state.origin}/mcp`;
  return (
    <>
      <Head>
        <title>Your todos</title>
      </Head>
      <AppHeader user={state.user!} />
      <main class="card">
        <h1>Your todos</h1>
        <TodoList todos={data.todos} error={data.error} />
      </main>
      <aside class="card mcp-info">
        <h2>Use your todos from an AI agent</h2>
        <p>
          This app is also a remote MCP server. Add this URL to Claude, MCP Inspector or any MCP
          client; it will ask you to sign in and approve access:
        </p>
        <p>
          <code class="mcp-url">{mcpUrl}</code>
        </p>
      </aside>
    </>
  );
}
