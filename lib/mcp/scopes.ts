/**
 * Which scope each MCP request needs. Reading todos (listTodos, resources, the prompt, listen
 * streams) needs the read scope; tools that change todos need the write scope. Requests that reveal no
 * todos (server/discover, initialize, ping, tools/list, prompts/list, resources/templates/list,
 * notifications) need only a valid token, so a client can connect and discover what it may ask
 * for. The same rules hold in both protocol eras (the 2026 `_meta` envelope changes nothing).
 */
import { READ_SCOPE, WRITE_SCOPE } from "../auth/todo_scopes.ts";
import { type Access, TOOL_ACCESS } from "./server.ts";

const METHOD_ACCESS: Readonly<Record<string, Access>> = {
  "resources/list": "read",
  "resources/read": "read",
  "prompts/get": "read",
  // A listen stream tells which todos change (their URIs): reading, like resources/list.
  "subscriptions/listen": "read",
};

/** The access one JSON-RPC message needs, or `null` when any valid token will do. */
export function accessFor(message: unknown): Access | null {
  if (typeof message !== "object" || message === null) return null;
  const { method, params } = message as { method?: unknown; params?: { name?: unknown } };
  if (typeof method !== "string") return null;
  if (method === "tools/call") {
    const name = params?.name;
    return typeof name === "string" && Object.hasOwn(TOOL_ACCESS, name) ? TOOL_ACCESS[name] : null;
  }
  return Object.hasOwn(METHOD_ACCESS, method) ? METHOD_ACCESS[method] : null;
}

/** The scopes a parsed request body (one message or a batch) needs, read scope first. */
export function requiredScopes(body: unknown): string[] {
  const accesses = new Set((Array.isArray(body) ? body : [body]).map(accessFor));
  const scopes: string[] = [];
  if (accesses.has("read")) scopes.push(READ_SCOPE);
  if (accesses.has("write")) scopes.push(WRITE_SCOPE);
  return scopes;
}
