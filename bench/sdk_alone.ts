/**
 * The MCP SDK on its own (run as a subprocess by bench/main.ts), serving `tools/call listTodos`
 * in both protocol eras, each as the v2 SDK serves it statelessly, with a fresh `McpServer` for
 * every POST. `POST /2025-11-25`: a `WebStandardStreamableHTTPServerTransport` per POST in
 * stateless JSON mode, as the SDK's stateless examples serve the 2025 revisions. `POST
 * /2026-07-28`: the SDK's own 2026-07-28 entry, `createMcpHandler` (`legacy: "reject"`, default
 * response mode: this call is answered as JSON), whose factory builds the server. The server has
 * one tool, `listTodos` (the app's argument schema, in plain zod), whose answer (the app's own,
 * for the user `Deno.args[1]`'s todos in the KV file `Deno.args[0]`) is built once at start.
 * Per call: no Hono, no Origin or bearer check, no KV, no JSON building; only what the SDK does
 * for a `tools/call` in that era. Prints one JSON line, `{origin}`; runs until killed.
 */
import { z } from "zod";
import {
  createMcpHandler,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
} from "../lib/mcp/sdk.ts";
import { listAnswer } from "../lib/mcp/tools.ts";
import { readList } from "../lib/todos/mod.ts";

const [kvPath, userId] = Deno.args;
if (!kvPath || !userId) throw new Error("usage: sdk_alone.ts <kv path> <user id>");

const kv = await Deno.openKv(kvPath);
const value = listAnswer(await readList(kv, userId), "all");
kv.close();
const result = {
  content: [{ type: "text" as const, text: JSON.stringify(value) }],
  structuredContent: value,
};
const inputSchema = z.object({ filter: z.enum(["all", "open", "completed"]).default("all") });

/** A fresh server with the one tool. */
function oneToolServer(): McpServer {
  const mcp = new McpServer({ name: "sdk-alone", version: "1.0.0" });
  mcp.registerTool("listTodos", { inputSchema }, () => result);
  return mcp;
}

/** One 2025-11-25 POST: a fresh server and transport, closed once it is answered. */
async function serve2025(request: Request): Promise<Response> {
  const mcp = oneToolServer();
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await mcp.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await mcp.close();
  }
}

const modern = createMcpHandler(oneToolServer, { legacy: "reject" });

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
  switch (new URL(request.url).pathname) {
    case "/2025-11-25":
      return serve2025(request);
    case "/2026-07-28":
      return modern.fetch(request);
    default:
      return new Response("Not found: POST /2025-11-25 or /2026-07-28.", { status: 404 });
  }
});
console.log(JSON.stringify({ origin: `http://127.0.0.1:${server.addr.port}` }));
