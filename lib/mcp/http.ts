/**
 * The `/mcp` sub-app: Streamable HTTP, stateless. Each POST gets its own McpServer and
 * transport (any Deno Deploy isolate can answer any request), after the Origin check, bearer
 * authentication and the scope check of the JSON-RPC messages it carries.
 */
import { WebStandardStreamableHTTPServerTransport } from "./sdk.ts";
import { Hono } from "hono";
import { requireBearer, requireScopes } from "../auth/bearer.ts";
import type { AppEnv } from "../http/context.ts";
import { invalidMessageProblem, refuseInvalidParams } from "./messages.ts";
import { mcpCors, refuseForeignOrigins } from "./origin.ts";
import { requiredScopes } from "./scopes.ts";
import { createTodoMcpServer, TOOL_ACCESS } from "./server.ts";

const TOOL_NAMES = Object.keys(TOOL_ACCESS);

/** Largest JSON-RPC request body accepted; larger ones get 413. */
export const MAX_MCP_BODY_BYTES = 1024 * 1024;

/**
 * The sub-app's own paths: `/` (the endpoint, `/mcp`) and an empty segment after it, so that
 * `/mcp/` answers too (clients and people often add the slash).
 */
const ENDPOINT = ["/", "/:trailingSlash{^$}"];

/** Builds the `/mcp` sub-app. */
export function createMcpApp(): Hono<AppEnv> {
  const mcp = new Hono<AppEnv>();
  mcp.use(mcpCors());
  mcp.use(refuseForeignOrigins());
  mcp.use(requireBearer());

  mcp.on("POST", ENDPOINT, async (c) => {
    const { kv, config } = c.var.deps;
    let body: string | null;
    try {
      body = await readLimited(c.req.raw, MAX_MCP_BODY_BYTES);
    } catch {
      return jsonRpcError(400, -32700, "Parse error: the request body could not be read.");
    }
    if (body === null) {
      return jsonRpcError(413, -32600, `Request body exceeds ${MAX_MCP_BODY_BYTES} bytes.`);
    }
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(body);
    } catch {
      // Left to the transport, which answers with a JSON-RPC parse error.
    }
    if (Array.isArray(parsed) && parsed.length === 0) {
      return jsonRpcError(400, -32600, "Invalid Request: an empty batch.");
    }
    const invalid = parsed === undefined ? null : invalidMessageProblem(parsed);
    if (invalid !== null) return jsonRpcError(400, -32600, invalid);
    if (parsed !== undefined) {
      const known = [config.mcp.readScope, config.mcp.writeScope];
      requireScopes(c.var.grant, requiredScopes(parsed, config.mcp), known);
    }

    const server = createTodoMcpServer({ kv, userId: c.var.grant.userId });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    refuseInvalidParams(transport, TOOL_NAMES);
    try {
      // The original body stream is spent: hand the transport the text (or the parsed value).
      const request = new Request(c.req.raw.url, {
        method: "POST",
        headers: c.req.raw.headers,
        body,
      });
      return await transport.handleRequest(
        request,
        parsed === undefined ? undefined : { parsedBody: parsed },
      );
    } finally {
      await server.close();
    }
  });

  // Stateless: no standalone SSE stream to GET and no session to DELETE (spec: answer 405).
  for (const path of ENDPOINT) {
    mcp.all(
      path,
      () =>
        jsonRpcError(405, -32000, "Method not allowed: send JSON-RPC requests with POST.", {
          Allow: "POST, OPTIONS",
        }),
    );
  }
  return mcp;
}

/** Reads a body as text, or `null` as soon as it is known to exceed `maxBytes`. */
async function readLimited(req: Request, maxBytes: number): Promise<string | null> {
  if (Number(req.headers.get("Content-Length")) > maxBytes) {
    await req.body?.cancel();
    return null;
  }
  if (!req.body) return "";
  const reader = req.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    text += decoder.decode(value, { stream: true });
  }
}

function jsonRpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, {
    status,
    headers,
  });
}
