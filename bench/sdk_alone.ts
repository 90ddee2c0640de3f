/**
 * The MCP SDK on its own (run as a subprocess by bench/main.ts): the v2 SDK's
 * `WebStandardStreamableHTTPServerTransport` in stateless JSON mode, with a fresh `McpServer`
 * and transport for every POST, as the SDK's stateless examples serve the 2025 revisions. The
 * server has one tool, `listTodos` (the app's argument schema, in plain zod), whose answer (the
 * app's own, for the user `Deno.args[1]`'s todos in the KV file `Deno.args[0]`) is built once at
 * start. Per call: no Hono, no Origin or bearer check, no KV, no JSON building; only what the
 * SDK does for a 2025-11-25 `tools/call`. Prints one JSON line, `{origin}`; runs until killed.
 */
import { z } from "zod";
import { McpServer, WebStandardStreamableHTTPServerTransport } from "../lib/mcp/sdk.ts";
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

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
  const mcp = new McpServer({ name: "sdk-alone", version: "1.0.0" });
  mcp.registerTool("listTodos", { inputSchema }, () => result);
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
});
console.log(JSON.stringify({ origin: `http://127.0.0.1:${server.addr.port}` }));
