/**
 * Each `/mcp` request is served by a server of its own that holds only the definitions its
 * messages reach (lib/mcp/needs.ts), while the definitions themselves are shared by every
 * request of the isolate. These tests hold both halves: concurrent requests of different users
 * never answer each other's data, and a request reaches every tool or resource it names.
 */
import assert from "node:assert/strict";
import { createTodo } from "../todos/mod.ts";
import { startMcpTestEnv, toolCall } from "../testing/mcp.ts";
import { VIEW_URI } from "./app_resource.ts";

const MODERN_META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
};

type Answer = { result?: { structuredContent?: { todos: { text: string }[] } } };

Deno.test("concurrent listTodos calls of different users, in both eras, each get their own list", async () => {
  await using env = await startMcpTestEnv();
  const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
  const tokens = new Map<string, string>();
  for (const [i, user] of users.entries()) {
    tokens.set(user, await env.token(user));
    for (let n = 0; n <= i; n++) await createTodo(env.app.kv, user, `${user} todo ${n}`);
  }
  const calls = users.flatMap((user) =>
    [0, 1, 2].map(async (round) => {
      const modern = round === 1;
      const body = toolCall("listTodos", {}, round);
      const response = await env.post(
        tokens.get(user)!,
        modern ? { ...body, params: { ...body.params, _meta: MODERN_META } } : body,
        modern
          ? {
            "MCP-Protocol-Version": "2026-07-28",
            "Mcp-Method": "tools/call",
            "Mcp-Name": "listTodos",
          }
          : { "MCP-Protocol-Version": "2025-11-25" },
      );
      assert.equal(response.status, 200);
      const answer = await response.json() as Answer;
      return { user, texts: answer.result?.structuredContent?.todos.map((todo) => todo.text) };
    })
  );
  for (const { user, texts } of await Promise.all(calls)) {
    const index = users.indexOf(user);
    assert.deepEqual(
      texts,
      Array.from({ length: index + 1 }, (_, n) => `${user} todo ${n}`),
      `${user} saw another list`,
    );
  }
});

Deno.test("a batch reaches every tool it calls, and resources and prompts their definitions", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const batch = await env.post(token, [
    toolCall("createTodo", { todoText: "From a batch" }, 1),
    toolCall("listTodos", {}, 2),
    { jsonrpc: "2.0", id: 3, method: "resources/read", params: { uri: VIEW_URI } },
    { jsonrpc: "2.0", id: 4, method: "prompts/get", params: { name: "reviewOpenTodos" } },
  ], { "MCP-Protocol-Version": "2025-03-26" });
  assert.equal(batch.status, 200);
  const answers = new Map(
    (await batch.json()).map((answer: { id: number }) => [answer.id, answer]),
  ) as Map<number, { result?: Record<string, unknown>; error?: unknown }>;
  for (const id of [1, 2, 3, 4]) {
    assert.ok(answers.get(id)?.result, JSON.stringify(answers.get(id)));
  }
  assert.equal(answers.get(1)!.result!.isError, undefined);
  // The batch's messages run concurrently: the list may or may not hold the new todo yet.
  const listed = answers.get(2)!.result!.structuredContent as { todos: unknown[] };
  assert.ok(Array.isArray(listed.todos));
  const contents = answers.get(3)!.result!.contents as { mimeType: string }[];
  assert.equal(contents[0].mimeType, "text/html;profile=mcp-app");
  assert.equal((answers.get(4)!.result!.messages as unknown[]).length, 1);
});
