/**
 * 2025-era serving leaves each POST's server and transport to the garbage collector instead of
 * closing them (lib/mcp/legacy.ts). That holds only while the SDK's stateless JSON transport
 * keeps nothing once it has answered, so these tests read what the pinned SDK keeps (its
 * private maps): if one fails after an SDK upgrade, serving must close again.
 */
import assert from "node:assert/strict";
import { authInfoFor } from "./context.ts";
import { connectLegacy } from "./legacy.ts";
import { needsOf } from "./needs.ts";
import { createTodoServerFactory } from "./server.ts";
import { initializeRequest, MCP_URL, toolCall } from "../testing/mcp.ts";

const HEADERS = {
  "Content-Type": "application/json",
  Accept: "application/json, text/event-stream",
  "MCP-Protocol-Version": "2025-11-25",
};

const grant = {
  userId: "user-a",
  clientId: "client",
  scopes: ["read:todos", "write:todos"],
};

/** The SDK's per-connection state that `close()` would clear: each map's size. */
function heldState(server: object, transport: object): Record<string, number> {
  // deno-lint-ignore no-explicit-any
  const protocol = (server as any).server;
  // deno-lint-ignore no-explicit-any
  const held = transport as any;
  return {
    streams: held._streamMapping.size,
    requestStreams: held._requestToStreamMapping.size,
    responses: held._requestResponseMap.size,
    handlersRunning: protocol._requestHandlerAbortControllers.size,
    awaitedResponses: protocol._responseHandlers.size,
    timeouts: protocol._timeoutInfo.size,
    progress: protocol._progressHandlers.size,
  };
}

const NOTHING = {
  streams: 0,
  requestStreams: 0,
  responses: 0,
  handlersRunning: 0,
  awaitedResponses: 0,
  timeouts: 0,
  progress: 0,
};

Deno.test("a 2025 answer leaves its server and transport holding nothing, so neither needs closing", async () => {
  using kv = await Deno.openKv(":memory:");
  const factory = createTodoServerFactory(kv);
  const cases: [string, unknown, Record<string, string>, number][] = [
    ["a call", toolCall("listTodos", {}, 1), {}, 200],
    ["a call that writes", toolCall("createTodo", { todoText: "Buy milk" }, 1), {}, 200],
    ["a call whose arguments are wrong", toolCall("updateTodo", {}, 1), {}, 200],
    ["an unknown method", { jsonrpc: "2.0", id: 1, method: "todos/explode" }, {}, 200],
    [
      "an unknown resource",
      { jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "todoapp://todos/x" } },
      {},
      200,
    ],
    ["a handshake", initializeRequest("2025-06-18"), {}, 200],
    [
      "a batch of requests and a notification",
      [
        { jsonrpc: "2.0", id: 1, method: "tools/list" },
        toolCall("listTodos", {}, 2),
        { jsonrpc: "2.0", method: "notifications/initialized" },
      ],
      {},
      200,
    ],
    ["notifications only", [{ jsonrpc: "2.0", method: "notifications/initialized" }], {}, 202],
    ["a refused Accept", toolCall("listTodos", {}, 1), { Accept: "application/json" }, 406],
    ["JSON that is not JSON-RPC", { hello: "world" }, {}, 400],
  ];
  for (const [name, body, headers, status] of cases) {
    const request = new Request(MCP_URL, {
      method: "POST",
      headers: { ...HEADERS, ...headers },
      body: JSON.stringify(body),
    });
    const authInfo = authInfoFor(grant, undefined, needsOf(body));
    const { server, transport } = await connectLegacy(factory, request, authInfo);
    const response = await transport.handleRequest(request, { parsedBody: body, authInfo });
    await response.body?.cancel();
    assert.equal(response.status, status, name);
    // A notification's handler runs after the 202; let it finish.
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(heldState(server, transport), NOTHING, name);
  }
});
