/**
 * The requests the benchmark compares: REST `GET /api/todos` with a session cookie, and MCP
 * `tools/call listTodos` as a 2025-11-25 client and as a 2026-07-28 client send it.
 */
import type { Target } from "./load.ts";

/** Where the benchmark server listens and the credentials of its one user. */
export interface BenchServer {
  origin: string;
  token: string;
  cookie: string;
}

/** `GET /api/todos`, as the web app's page does. */
export function restList(server: BenchServer, expected: number): Target {
  return {
    name: "REST GET /api/todos",
    request: () =>
      new Request(`${server.origin}/api/todos`, { headers: { Cookie: server.cookie } }),
    check: (status, body) => status === 200 && JSON.parse(body).todos.length === expected,
  };
}

const LIST_TODOS = { name: "listTodos", arguments: {} };

/** `tools/call listTodos` from a client that negotiated 2025-11-25 (stateless: no session). */
export function mcpList2025(server: BenchServer, expected: number): Target {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: LIST_TODOS });
  return {
    name: "MCP 2025-11-25 tools/call listTodos",
    request: () =>
      new Request(`${server.origin}/mcp`, {
        method: "POST",
        headers: mcpHeaders(server, "2025-11-25"),
        body,
      }),
    check: (status, text) => status === 200 && todoCount(text) === expected,
  };
}

/** `tools/call listTodos` in the 2026-07-28 era: `_meta` envelope and Mcp-Method/Mcp-Name. */
export function mcpList2026(server: BenchServer, expected: number): Target {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: {
      ...LIST_TODOS,
      _meta: {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1.0.0" },
      },
    },
  });
  return {
    name: "MCP 2026-07-28 tools/call listTodos",
    request: () =>
      new Request(`${server.origin}/mcp`, {
        method: "POST",
        headers: {
          ...mcpHeaders(server, "2026-07-28"),
          "Mcp-Method": "tools/call",
          "Mcp-Name": "listTodos",
        },
        body,
      }),
    check: (status, text) => status === 200 && todoCount(text) === expected,
  };
}

function mcpHeaders(server: BenchServer, version: string): Record<string, string> {
  return {
    Authorization: `Bearer ${server.token}`,
    "Content-Type": "application/json",
    Accept: "application/json, text/event-stream",
    "MCP-Protocol-Version": version,
  };
}

/** How many todos a JSON (or single-event SSE) `tools/call` answer lists, or -1. */
function todoCount(text: string): number {
  const json = text.startsWith("{") ? text : text.slice(text.indexOf("{"));
  try {
    return JSON.parse(json).result?.structuredContent?.todos?.length ?? -1;
  } catch {
    return -1;
  }
}
