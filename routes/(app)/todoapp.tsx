import {
  addedMessage,
  deletedMessage,
  type Filter,
  focusAfter,
  packTodos,
  pageUrl,
  parseFilter,
  STALE_MESSAGE,
  type TodoItem,
} from "../../todo_list/view.ts";
import { AppError, NotFoundError, ValidationError } from "../../lib/errors.ts";
import type { SignedInState } from "../../lib/http/page_state.ts";
import { type Handlers, Head, type PageProps } from "../../lib/pages/mod.ts";
import {
  clearCompleted,
  createTodo,
  deleteTodoUndoably,
  getDeletion,
  listTodos,
  MAX_TEXT_LENGTH,
  readList,
  setAllCompleted,
  undoDeletion,
  updateTodo,
} from "../../lib/todos/mod.ts";
import TodoList, { type Notice } from "../../islands/TodoList.tsx";
import McpUrl from "../../islands/McpUrl.tsx";

interface Data {
  todos: TodoItem[];
  filter: Filter;
  error: string | null;
  notice: Notice | null;
  editing: string | null;
  focus: string | null;
}

/** Signed-in pages: never kept by caches (the page is someone's list). */
const NO_STORE = { headers: { "Cache-Control": "no-store" } };

/** Only the fields the page shows, so the island's props stay small. */
const items = (todos: readonly TodoItem[]): TodoItem[] =>
  todos.map(({ id, text, completed }) => ({ id, text, completed }));

/**
 * Applies one no-JavaScript form post and returns where to go next: the same filter, focus
 * on the todo acted on (or its neighbour), and after a deletion the token of its Undo.
 * Actions: add, complete, incomplete, edit, delete, complete-all, incomplete-all,
 * clear-completed, undo.
 */
async function applyForm(kv: Deno.Kv, userId: string, form: FormData): Promise<string> {
  const action = form.get("action");
  const id = String(form.get("id") ?? "");
  const filter = parseFilter(String(form.get("filter") ?? ""));
  const back = async (todoId: string, undo?: string) => {
    const at = focusAfter(await listTodos(kv, userId), filter, todoId);
    // `autofocus` on that todo's button (else on the new-todo input) brings focus and scroll
    // back to it; a fragment would stop browsers from running autofocus at all.
    return pageUrl(filter, { at, undo });
  };
  switch (action) {
    case "add": {
      // No fragment: the new-todo input's `autofocus` keeps it in view below the heading.
      const todo = await createTodo(kv, userId, form.get("text") ?? "");
      return pageUrl(filter, { added: todo.id });
    }
    case "complete":
    case "incomplete":
      await updateTodo(kv, userId, id, { completed: action === "complete" });
      return await back(id);
    case "edit":
      await updateTodo(kv, userId, id, { text: String(form.get("text") ?? "") });
      return await back(id);
    case "delete":
      return await back(id, (await deleteTodoUndoably(kv, userId, id)).token);
    case "complete-all":
    case "incomplete-all":
      await setAllCompleted(kv, userId, action === "complete-all");
      return pageUrl(filter);
    case "clear-completed": {
      const deletion = await clearCompleted(kv, userId);
      return pageUrl(filter, { undo: deletion.todos.length ? deletion.token : null });
    }
    case "undo": {
      const [first] = await undoDeletion(kv, userId, form.get("token"));
      return first ? await back(first.id) : pageUrl(filter);
    }
    default:
      throw new ValidationError("Unknown action.");
  }
}

/**
 * The no-JS confirmation of an addition (`?added=<id>`): the todo's own text from the list, so
 * the page never echoes words from its URL; nothing when that todo is not in the list.
 */
function addedNotice(todos: TodoItem[], id: string | null): Notice | null {
  const todo = id ? todos.find((item) => item.id === id) : undefined;
  return todo ? { text: addedMessage(todo.text) } : null;
}

/** `/todoapp` (signed in: routes/(app)/_middleware.ts). */
export const handler: Handlers<Data, SignedInState> = {
  async GET(_req, ctx) {
    const { user, deps } = ctx.state;
    const query = ctx.url.searchParams;
    const list = await readList(deps.kv, user.id);
    const todos = items(list.todos);
    const known = (id: string | null) => todos.some((todo) => todo.id === id) ? id : null;
    // Only a no-JS deletion (?undo=) has an Undo to show: other loads skip that read.
    const undo = query.get("undo");
    const deletion = undo ? await getDeletion(deps.kv, user.id, undo) : null;
    // The page shows the list (at `list.versionstamp`) and what the key names, so it is
    // rendered once per change; an Undo notice depends on a record that expires: not kept.
    const memo = undo === null && list.versionstamp !== null
      ? {
        key: JSON.stringify([
          user.id,
          user.email,
          ctx.state.origin,
          ctx.url.pathname + ctx.url.search,
        ]),
        version: list.versionstamp,
      }
      : undefined;
    return ctx.render({
      todos,
      filter: parseFilter(query.get("filter")),
      error: null,
      notice: deletion
        ? { text: deletedMessage(deletion.todos), undo: deletion.token }
        : addedNotice(todos, query.get("added")),
      editing: known(query.get("edit")),
      focus: known(query.get("at")),
    }, { ...NO_STORE, memo });
  },
  // Without JavaScript the island's forms post here; with it, they call /api instead.
  async POST(req, ctx) {
    const { user, deps } = ctx.state;
    const form = await req.formData().catch(() => {
      throw new ValidationError("Send the form as form data.");
    });
    try {
      return ctx.redirect(await applyForm(deps.kv, user.id, form));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const stale = error instanceof NotFoundError && form.get("action") !== "undo";
      return ctx.render({
        todos: items(await listTodos(deps.kv, user.id)),
        filter: parseFilter(String(form.get("filter") ?? "")),
        error: stale ? STALE_MESSAGE : error.message,
        notice: null,
        editing: null,
        focus: null,
      }, { status: error.status, ...NO_STORE });
    }
  },
};

export default function TodoApp({ data, state }: PageProps<Data, SignedInState>) {
  return (
    <>
      <Head>
        <title>Your todos · Todos</title>
      </Head>
      <main class="card" id="main">
        <h1>Your todos</h1>
        <TodoList
          todos={packTodos(data.todos)}
          filter={data.filter}
          maxLength={MAX_TEXT_LENGTH}
          error={data.error}
          notice={data.notice}
          editing={data.editing}
          focus={data.focus}
        />
      </main>
      <aside class="card mcp-info" aria-labelledby="mcp-heading">
        <h2 id="mcp-heading">Use your todos from an AI agent</h2>
        <p>
          This app is also a remote MCP server. Add this URL to Claude, MCP Inspector or any MCP
          client; it will ask you to sign in and approve access:
        </p>
        <McpUrl url={`${state.origin}/mcp`} />
      </aside>
    </>
  );
}
