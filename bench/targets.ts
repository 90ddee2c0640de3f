/**
 * The requests the benchmark compares: the bare baseline, REST `GET /api/todos` with a session
 * cookie, MCP `tools/call listTodos` as a 2025-11-25 client and as a 2026-07-28 client send
 * it, and the page `GET /todoapp` (plain, and gzip'd as a browser asks for it).
 */
import type { Target } from "./load.ts";

/** Where the benchmark server listens and the credentials of its one user. */
export interface BenchServer {
  origin: string;
  token: string;
  cookie: string;
  /** The reading user (whose todos the bare baseline lists too). */
  userId: string;
  /** Writing users by list size: their cookie and how many todos they were seeded with. */
  writers: Record<string, { cookie: string; seeded: number }>;
  /** Bytes of `"<path> <content-encoding>"` answers, plain and gzip'd. */
  sizes: Record<string, number>;
}

/** Plain answers: what wrk asks for, so both load generators measure the same work. */
const PLAIN = { "Accept-Encoding": "identity" };

/** The bare `Deno.serve` + one `kv.list` (bench/bare.ts): the limit. */
export function bareList(origin: string, expected: number): Target {
  return {
    name: "bare Deno.serve + kv.list",
    request: () => new Request(`${origin}/`, { headers: PLAIN }),
    check: (status, body) => status === 200 && JSON.parse(body).todos.length === expected,
  };
}

/** The todo page with the reading user's list, as a browser without gzip would fetch it. */
export function page(server: BenchServer, expected: number, gzip = false): Target {
  return {
    name: gzip ? "page GET /todoapp (gzip)" : "page GET /todoapp",
    request: () =>
      new Request(`${server.origin}/todoapp`, {
        headers: { Cookie: server.cookie, "Accept-Encoding": gzip ? "gzip" : "identity" },
      }),
    // The Deno client decompresses; each todo is one list item with its id.
    check: (status, body) => status === 200 && body.split('<li id="todo-').length - 1 === expected,
  };
}

/** `GET /api/todos`, as the web app's page does. */
export function restList(server: BenchServer, expected: number): Target {
  return {
    name: "REST GET /api/todos",
    request: () =>
      new Request(`${server.origin}/api/todos`, { headers: { Cookie: server.cookie, ...PLAIN } }),
    check: (status, body) => status === 200 && JSON.parse(body).todos.length === expected,
  };
}

const LIST_TODOS = { name: "listTodos", arguments: {} };

/**
 * `tools/call listTodos` from a client that negotiated 2025-11-25 (stateless: no session). With
 * `sdkAlone` (the origin of bench/sdk_alone.ts), the same request to the SDK on its own, at its
 * `/2025-11-25`.
 */
export function mcpList2025(server: BenchServer, expected: number, sdkAlone?: string): Target {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: LIST_TODOS });
  return {
    name: sdkAlone
      ? "MCP SDK alone 2025-11-25, same answer"
      : "MCP 2025-11-25 tools/call listTodos",
    request: () =>
      new Request(sdkAlone ? `${sdkAlone}/2025-11-25` : `${server.origin}/mcp`, {
        method: "POST",
        headers: mcpHeaders(server, "2025-11-25"),
        body,
      }),
    check: (status, text) => status === 200 && todoCount(text) === expected,
  };
}

/**
 * `tools/call listTodos` in the 2026-07-28 era: `_meta` envelope and Mcp-Method/Mcp-Name. With
 * `sdkAlone` (the origin of bench/sdk_alone.ts), the same request to the SDK on its own, at its
 * `/2026-07-28`.
 */
export function mcpList2026(server: BenchServer, expected: number, sdkAlone?: string): Target {
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
    name: sdkAlone
      ? "MCP SDK alone 2026-07-28, same answer"
      : "MCP 2026-07-28 tools/call listTodos",
    request: () =>
      new Request(sdkAlone ? `${sdkAlone}/2026-07-28` : `${server.origin}/mcp`, {
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
    ...PLAIN,
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
