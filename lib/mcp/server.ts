/**
 * The MCP server over the todo store. Tools, resources and the prompt are defined once per
 * app (one app per isolate); the SDK serves every request, of either protocol era, on a fresh
 * `McpServer` (a connected one refuses a second transport), so the factory only registers
 * those prebuilt definitions, and only the ones the request can reach (lib/mcp/needs.ts).
 * Handlers act for the user in the request's auth info (lib/mcp/context.ts).
 */
import { registerAppResource } from "./app_resource.ts";
import { promptRegistrar } from "./prompts.ts";
import { resourceRegistrar } from "./resources.ts";
import { needsFor } from "./needs.ts";
import { McpServer, type McpServerFactory, preloadSchemas } from "./sdk.ts";
import { toolRegistrar } from "./tools.ts";

export { type Access, TOOL_ACCESS } from "./tools.ts";
export { TODO_URI_TEMPLATE, TODOS_URI, todoUri } from "./resources.ts";

const SERVER_INFO = { name: "todo-app", title: "Todo app", version: "1.0.0" };

const INSTRUCTIONS = "Manages the signed-in person's todo list (the same list as the web app). " +
  "Call listTodos first to see todos and their ids; the other tools take a todoID from it. " +
  "Every tool answers with JSON of the new state.";

/** Lists that are the same for every user and change only with a deploy: shareable, 5 min. */
const STATIC_LIST = { ttlMs: 5 * 60 * 1000, cacheScope: "public" } as const;
/** Lists of a user's todos: private to the user and never reused (any write changes them). */
const USER_DATA = { ttlMs: 0, cacheScope: "private" } as const;

const OPTIONS = {
  instructions: INSTRUCTIONS,
  // The tools and the prompt change only with a deploy. The 2025 era is stateless: it has no
  // stream to push resource changes on (the 2026 era's are in MODERN_OPTIONS).
  capabilities: {
    tools: { listChanged: false },
    prompts: { listChanged: false },
    resources: { listChanged: false },
  },
};

/**
 * 2026-07-28: `subscriptions/listen` streams carry changes to the todo resources, from any
 * source, to their user (lib/mcp/subscriptions.ts). Cache hints are of this era only (the SDK
 * checks them on every server it builds, and 2025-era answers carry none), so the 2025 era's
 * servers are built without them.
 */
const MODERN_OPTIONS = {
  ...OPTIONS,
  capabilities: { ...OPTIONS.capabilities, resources: { subscribe: true, listChanged: true } },
  cacheHints: {
    "server/discover": STATIC_LIST,
    "tools/list": STATIC_LIST,
    "prompts/list": STATIC_LIST,
    "resources/templates/list": STATIC_LIST,
    "resources/list": USER_DATA,
    "resources/read": USER_DATA,
  },
};

/**
 * `options` for a request of tool calls only (lib/mcp/needs.ts): the tools capability alone. The
 * SDK sets up the request handlers of every capability a server declares, and a call consults
 * no other (its answer carries none). A tool that notified of resource changes during its call
 * would need the resources capability back: the SDK refuses notifications of undeclared ones.
 */
function forCallsOnly<T extends typeof OPTIONS>(
  options: T,
): Omit<T, "capabilities"> & { capabilities: Pick<T["capabilities"], "tools"> } {
  return { ...options, capabilities: { tools: options.capabilities.tools } };
}

/** Each era's server options: all capabilities, or for tool calls only. */
const ERA_OPTIONS = {
  legacy: { all: OPTIONS, calls: forCallsOnly(OPTIONS) },
  modern: { all: MODERN_OPTIONS, calls: forCallsOnly(MODERN_OPTIONS) },
};

// The SDK builds its wire schemas lazily; build them at start-up rather than in a request.
preloadSchemas();

/**
 * The factory the SDK calls for every request: a server on `kv` with the todo definitions
 * that the request (as its auth info says, lib/mcp/needs.ts) can reach, or all of them.
 */
export function createTodoServerFactory(kv: Deno.Kv): McpServerFactory {
  const registerTools = toolRegistrar(kv);
  const registerResources = resourceRegistrar(kv);
  const registerPrompt = promptRegistrar(kv);
  return (ctx) => {
    const needs = needsFor(ctx?.authInfo);
    const era = ctx?.era === "modern" ? "modern" : "legacy";
    const server = new McpServer(
      SERVER_INFO,
      ERA_OPTIONS[era][needs.capabilities ? "all" : "calls"],
    );
    registerTools(server, needs.tools);
    if (needs.resources) {
      registerResources(server);
      registerAppResource(server);
    }
    if (needs.prompts) registerPrompt(server);
    return server;
  };
}
