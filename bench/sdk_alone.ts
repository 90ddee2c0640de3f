/**
 * The MCP SDK on its own (run as a subprocess by bench/main.ts): `createMcpHandler` of the v2
 * SDK with one `listTodos` tool taking the app's arguments, whose answer (the app's own, for
 * the user `Deno.args[1]`'s todos in the KV file `Deno.args[0]`) is built once at start. Per
 * call: no Hono, no Origin or bearer check, no KV, no JSON building; only what the SDK does
 * for every 2026-07-28 `tools/call` (a fresh server and transport, the envelope and request
 * checks, the result check, the JSON answer). It shows the least an MCP answer built on the
 * SDK costs. Prints one JSON line, `{origin}`; runs until killed.
 */
import { createMcpHandler, McpServer, preloadSchemas } from "../lib/mcp/sdk.ts";
import { LIST_TODOS_INPUT, listAnswer } from "../lib/mcp/tools.ts";
import { readList } from "../lib/todos/mod.ts";

const [kvPath, userId] = Deno.args;
if (!kvPath || !userId) throw new Error("usage: sdk_alone.ts <kv path> <user id>");

const kv = await Deno.openKv(kvPath);
const value = listAnswer(await readList(kv, userId), "all");
const result = {
  content: [{ type: "text" as const, text: JSON.stringify(value) }],
  structuredContent: value,
};

preloadSchemas();
const handler = createMcpHandler(() => {
  const server = new McpServer({ name: "sdk-alone", version: "1.0.0" });
  server.registerTool("listTodos", { inputSchema: LIST_TODOS_INPUT }, () => result);
  return server;
}, { legacy: "reject" });
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  (request) => handler.fetch(request),
);
console.log(JSON.stringify({ origin: `http://127.0.0.1:${server.addr.port}` }));
