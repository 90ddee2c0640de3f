/**
 * With the built-in OAuth server's tokens, `/mcp` reads a listTodos call's list marker in the
 * same KV read as the token's grant (lib/mcp/bearer.ts) and keeps that read for
 * `GRANT_RECHECK_MS` (lib/oauth/tokens.ts). These tests hold what that must keep: every change
 * made in this process before a call is in its answer, in both protocol eras, whichever store
 * function made it, and a grant revoked here is refused on the next call; changes made through
 * another KV handle, as another process on the same file makes them, show once that time has
 * passed.
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { decodeJwt } from "jose";
import { approvedCode, exchangeCode } from "../testing/oauth.ts";
import { revokeConsent } from "../oauth/store/consents.ts";
import { createTestApp, type TestApp } from "../testing/app.ts";
import { toolCall } from "../testing/mcp.ts";
import { createTodo, deleteTodo, updateTodo } from "../todos/mod.ts";
import { GRANT_RECHECK_MS } from "../oauth/tokens.ts";

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
    // Written straight to the store, as the REST API or a page would in this isolate.
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

Deno.test("changes made through another KV handle (another process) show within GRANT_RECHECK_MS", async () => {
  const path = await Deno.makeTempFile({ suffix: ".sqlite3" });
  try {
    using app = await createTestApp({ kvPath: path });
    const { clientId, verifier, code } = await approvedCode(app);
    const { access_token } = await exchangeCode(app, clientId, code, verifier);
    // Opened once the app's own writes are done: with a second SQLite connection on the file, an
    // app write has been seen to wait out its lock on a busy machine and answer 503, which is
    // not what this test is about.
    using other = await Deno.openKv(path);
    const userId = decodeJwt(access_token).sub!;
    assert.deepEqual(await listedTexts(await listTodos(app, access_token, false)), []);
    await createTodo(other, userId, "from elsewhere");
    await delay(GRANT_RECHECK_MS);
    for (const modern of [false, true]) {
      assert.deepEqual(await listedTexts(await listTodos(app, access_token, modern)), [
        "from elsewhere",
      ]);
    }
    assert.equal(await revokeConsent(other, userId, clientId), true);
    await delay(GRANT_RECHECK_MS);
    const refused = await listTodos(app, access_token, false);
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
  } finally {
    await Deno.remove(path);
  }
});
