/**
 * The MCP App view: the todo list (components/TodoListView.tsx, the same component the web
 * page's island renders) inside a host's sandboxed iframe. Its todos come from the
 * `listTodos` result the host hands it; its changes are `tools/call` requests through the
 * host, which sends them to /mcp with the user's own token (same scope checks as any call).
 * It makes no network request of its own. Built into one HTML document by mcp_app/build.ts.
 */
/// <reference lib="dom" />
import { Component, type ComponentChildren, render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { TodoListView } from "../components/TodoListView.tsx";
import type { Filter, TodoItem } from "../todo_list/view.ts";
import { MAX_TEXT_LENGTH } from "../lib/todos/limits.ts";
import {
  type DisplayMode,
  HostClient,
  type HostContext,
  type InitializeResult,
  resultText,
  type ToolResult,
} from "./host_client.ts";
import { items, toolActions } from "./tool_actions.ts";

const APP_INFO = { name: "todo-app-view", version: "1.0.0" };

/** `listTodos` filters ("open") and the list's ("active"). */
const FROM_TOOL_FILTER: Record<string, Filter> = { open: "active", completed: "completed" };

/** Applies the host's theme, style variables and display mode to the document. */
function applyContext(context: HostContext) {
  const root = document.documentElement;
  if (context.theme === "light" || context.theme === "dark") {
    root.dataset.theme = context.theme;
    root.style.colorScheme = context.theme;
  }
  if (context.displayMode) root.dataset.display = context.displayMode;
  for (const [name, value] of Object.entries(context.styles?.variables ?? {})) {
    // Only custom properties, as strings: a host's variables can restyle, never script.
    if (name.startsWith("--") && typeof value === "string") root.style.setProperty(name, value);
  }
}

/** Tells the host how big the view is whenever that changes (`ui/notifications/size-changed`). */
function reportSize(host: HostClient) {
  let last = "";
  const send = () => {
    const box = document.documentElement.getBoundingClientRect();
    const size = { width: Math.ceil(box.width), height: Math.ceil(box.height) };
    const key = `${size.width}x${size.height}`;
    if (key === last) return;
    last = key;
    host.notify("ui/notifications/size-changed", size);
  };
  new ResizeObserver(send).observe(document.documentElement);
  send();
}

/** The view's state from the host: the list, the filter, a problem to show, the host's context. */
function useHostView(host: HostClient) {
  const [todos, setTodos] = useState<TodoItem[] | null>(null);
  const [filter, setFilter] = useState<Filter>("all");
  const [problem, setProblem] = useState<string | null>(null);
  const [context, setContext] = useState<HostContext>({});
  const [info, setInfo] = useState<InitializeResult | null>(null);

  /** Asks the server (through the host) for the whole list. */
  async function reload(): Promise<TodoItem[] | null> {
    const result = await host.callTool("listTodos", { filter: "all" });
    const fresh = items(result.structuredContent?.todos);
    if (result.isError || !fresh) {
      setProblem(resultText(result) || "Could not load your todos.");
      return null;
    }
    setTodos(fresh);
    setProblem(null);
    return fresh;
  }

  useEffect(() => {
    host.on("ui/notifications/tool-input", (params) => {
      const wanted = (params.arguments as { filter?: string } | undefined)?.filter;
      setFilter(FROM_TOOL_FILTER[wanted ?? ""] ?? "all");
    });
    host.on("ui/notifications/tool-result", (params) => {
      const result = params as ToolResult;
      const shown = items(result.structuredContent?.todos);
      if (result.isError || !shown) {
        setProblem(resultText(result) || "The todo list could not be loaded.");
        return;
      }
      const filtered = result.structuredContent?.filter;
      if (filtered && filtered !== "all") {
        // The agent asked for part of the list: show that filter over the whole list.
        setFilter(FROM_TOOL_FILTER[String(filtered)] ?? "all");
        reload().catch((error) => setProblem(error.message));
      }
      setTodos(shown);
      setProblem(null);
    });
    host.on("ui/notifications/tool-cancelled", (params) => {
      setProblem(`The request was cancelled${params.reason ? ` (${params.reason})` : ""}.`);
    });
    host.on("ui/notifications/host-context-changed", (params) => {
      applyContext(params as HostContext);
      setContext((old) => ({ ...old, ...params }));
    });
    host.initialize(APP_INFO, { availableDisplayModes: ["inline", "fullscreen"] })
      .then((result) => {
        setInfo(result);
        applyContext(result.hostContext ?? {});
        setContext(result.hostContext ?? {});
        reportSize(host);
      })
      .catch((error) => setProblem(`Could not connect to the app host: ${error.message}`));
  }, []);

  return {
    todos,
    setTodos,
    filter,
    setFilter,
    problem,
    setProblem,
    context,
    setContext,
    info,
    reload,
  };
}

type HostView = ReturnType<typeof useHostView>;

/** Tells the agent what the list now is (hosts that support it read it on the next turn). */
function shareWithModel(host: HostClient, info: InitializeResult | null, next: TodoItem[]) {
  if (!info?.hostCapabilities?.updateModelContext) return;
  const open = next.filter((todo) => !todo.completed).length;
  host.request("ui/update-model-context", {
    content: [{
      type: "text",
      text: `The user changed their todo list in the view: ${open} open, ${
        next.length - open
      } completed.`,
    }],
    structuredContent: { todos: next },
  }).catch(() => {});
}

/** The view's title with Refresh and, where the host offers it, Full screen. */
function ViewHeader({ host, view }: { host: HostClient; view: HostView }) {
  const { context, setContext, setProblem } = view;
  const modes = (context.availableDisplayModes ?? []) as DisplayMode[];
  const fullscreen = context.displayMode === "fullscreen";
  async function toggleFullscreen() {
    try {
      const { mode } = await host.request<{ mode: DisplayMode }>("ui/request-display-mode", {
        mode: fullscreen ? "inline" : "fullscreen",
      });
      applyContext({ displayMode: mode });
      setContext((old) => ({ ...old, displayMode: mode }));
    } catch (error) {
      setProblem(`Could not change the display: ${(error as Error).message}`);
    }
  }

  return (
    <header class="view-header">
      <h1>Your todos</h1>
      <div class="view-tools">
        {view.info && (
          <button
            type="button"
            onClick={() => view.reload().catch((e) => setProblem(e.message))}
          >
            Refresh
          </button>
        )}
        {modes.includes("fullscreen") && (
          <button type="button" onClick={toggleFullscreen} aria-pressed={fullscreen}>
            {fullscreen ? "Exit full screen" : "Full screen"}
          </button>
        )}
      </div>
    </header>
  );
}

function TodoApp({ host }: { host: HostClient }) {
  const view = useHostView(host);
  const { todos, problem } = view;
  const list = useRef<TodoItem[]>([]);
  list.current = todos ?? [];
  const actions = toolActions(host, {
    current: () => list.current,
    show(next) {
      view.setTodos(next);
      shareWithModel(host, view.info, next);
    },
    reload: view.reload,
  });

  return (
    <>
      <ViewHeader host={host} view={view} />
      {problem && <p class="error" role="alert">{problem}</p>}
      {todos === null
        ? !problem && <p class="loading" role="status">Loading your todos…</p>
        : (
          <TodoListView
            todos={todos}
            actions={actions}
            filter={view.filter}
            onFilter={view.setFilter}
            maxLength={MAX_TEXT_LENGTH}
            autofocus={false}
            href={(f) => `#${f}`}
          />
        )}
    </>
  );
}

/** Shows a failure in rendering as a message instead of leaving the view blank. */
class Guard extends Component<{ children: ComponentChildren }, { failed: string | null }> {
  override state = { failed: null as string | null };
  static override getDerivedStateFromError(error: unknown) {
    return { failed: error instanceof Error ? error.message : String(error) };
  }
  render() {
    return this.state.failed
      ? <p class="error" role="alert">The todo list failed to show: {this.state.failed}</p>
      : this.props.children;
  }
}

/** Any error nobody caught is shown in the view's own alert line (plain text). */
function showProblem(message: string) {
  const line = document.getElementById("problem");
  if (!line) return;
  line.textContent = message;
  line.hidden = false;
}
addEventListener("error", (event) => showProblem(`Something went wrong: ${event.message}`));
addEventListener("unhandledrejection", (event) => {
  const reason = event.reason;
  showProblem(`Something went wrong: ${reason instanceof Error ? reason.message : reason}`);
});

const host = new HostClient();
const app = document.getElementById("app")!;
app.textContent = ""; // the "Loading…" line shown before this script ran
render(
  <Guard>
    <TodoApp host={host} />
  </Guard>,
  app,
);
