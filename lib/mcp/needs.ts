/**
 * What a request's server must hold to answer it. Serving is one `McpServer` per request, so
 * each gets only the definitions its messages can reach: a `tools/call` the tool it names,
 * `tools/list` every tool, a resource method the resources, a prompt method the prompt. The
 * capabilities come from the server's options, so `initialize`, `server/discover` and the
 * lists answer the same whatever is registered; a request of tool calls only gets the tools
 * capability alone (the SDK sets up handlers for every capability a server declares).
 */

/** The definitions one request's server holds. */
export interface Needs {
  tools: "all" | ReadonlySet<string>;
  resources: boolean;
  prompts: boolean;
  /** Every capability declared: false only for tool calls, which consult none but `tools`. */
  capabilities: boolean;
}

/** Everything: for a body this module cannot read (the SDK then answers its error). */
export const EVERYTHING: Needs = {
  tools: "all",
  resources: true,
  prompts: true,
  capabilities: true,
};

const RESOURCE_METHODS = new Set([
  "resources/list",
  "resources/read",
  "resources/templates/list",
  "resources/subscribe",
  "resources/unsubscribe",
  "subscriptions/listen",
  "completion/complete",
]);
const PROMPT_METHODS = new Set(["prompts/list", "prompts/get", "completion/complete"]);

/** The definitions that the JSON-RPC message or batch `body` can reach. */
export function needsOf(body: unknown): Needs {
  const messages = Array.isArray(body) ? body : [body];
  let tools: "all" | Set<string> = new Set();
  let resources = false;
  let prompts = false;
  let onlyCalls = messages.length > 0;
  for (const message of messages) {
    if (typeof message !== "object" || message === null) return EVERYTHING;
    const { method, params } = message as { method?: unknown; params?: { name?: unknown } };
    onlyCalls &&= method === "tools/call";
    if (method === "tools/list") tools = "all";
    else if (method === "tools/call") {
      const name = params?.name;
      if (tools !== "all" && typeof name === "string") tools.add(name);
    }
    resources ||= RESOURCE_METHODS.has(method as string);
    prompts ||= PROMPT_METHODS.has(method as string);
  }
  return { tools, resources, prompts, capabilities: !onlyCalls };
}

/**
 * What the request whose auth info is `authInfo` needs (put there by `authInfoFor`,
 * lib/mcp/context.ts), or everything when nothing was said.
 */
export function needsFor(authInfo: { extra?: Record<string, unknown> } | undefined): Needs {
  return (authInfo?.extra?.needs as Needs | undefined) ?? EVERYTHING;
}
