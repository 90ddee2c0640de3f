/**
 * With the built-in OAuth server's tokens, `/mcp` reads a listTodos call's list marker in the
 * same KV read as the token's grant (lib/mcp/bearer.ts). These tests hold what that read must
 * keep: every change made before a call is in its answer, in both protocol eras, however the
 * change was made, and a revoked grant is refused on the next call.
 */
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { approvedCode, exchangeCode } from "../testing/oauth.ts";
import { revokeConsent } from "../oauth/store/consents.ts";
import { createTestApp, type TestApp } from "../testing/app.ts";
import { toolCall } from "../testing/mcp.ts";
import { createTodo, deleteTodo, updateTodo } from "../todos/mod.ts";

const MODERN_META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
};

/** `tools/call listTodos` as a 2025-11-25 or a 2026-07-28 client sends it. */
function listTodos(app: TestApp, token: string, modern: boolean): Promise<Response> {
  const call = toolCall("listTodos");
  return app.request("/mcp", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      Authorization: `Bearer ${token}`,
      ...(modern
        ? {
          "MCP-Protocol-Version": "2026-07-28",
          "Mcp-Method": "tools/call",
          "Mcp-Name": "listTodos",
        }
        : { "MCP-Protocol-Version": "2025-11-25" }),
    },
    body: JSON.stringify(
      modern ? { ...call, params: { ...call.params, _meta: MODERN_META } } : call,
    ),
  });
}

async function listedTexts(response: Response): Promise<string[]> {
  assert.equal(response.status, 200);
  const answer = await response.json();
  return answer.result.structuredContent.todos.map((todo: { text: string }) => todo.text);
}

for (const modern of [false, true]) {
  const era = modern ? "2026-07-28" : "2025-11-25";

  Deno.test(`${era}: listTodos answers every change made before the call, from any writer`, async () => {
    using app = await createTestApp();
    const { clientId, verifier, code } = await approvedCode(app);
    const { access_token } = await exchangeCode(app, clientId, code, verifier);
    const userId = decodeJwt(access_token).sub!;
    assert.deepEqual(await listedTexts(await listTodos(app, access_token, modern)), []);
    // Written straight to the store, as another isolate or the REST API would.
    const first = await createTodo(app.kv, userId, "first");
    assert.deepEqual(await listedTexts(await listTodos(app, access_token, modern)), ["first"]);
    await updateTodo(app.kv, userId, first.id, { text: "first, edited" });
    const second = await createTodo(app.kv, userId, "second");
    assert.deepEqual(await listedTexts(await listTodos(app, access_token, modern)), [
      "first, edited",
      "second",
    ]);
    await deleteTodo(app.kv, userId, second.id);
    assert.deepEqual(await listedTexts(await listTodos(app, access_token, modern)), [
      "first, edited",
    ]);

    assert.equal(await revokeConsent(app.kv, userId, clientId), true);
    const refused = await listTodos(app, access_token, modern);
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
  });
}
