/** `/mcp` in Stytch mode: Connected Apps access tokens in, session JWTs out. */
import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "../testing/app.ts";
import { startTestIssuer } from "../testing/issuer.ts";
import { initializeRequest, toolCall } from "../testing/mcp.ts";
import {
  accessTokenClaims,
  sessionClaims,
  stytchEnv,
  TEST_USER_ID,
} from "../testing/stytch_mode.ts";
import { listTodos } from "../todos/mod.ts";

/** `POST /mcp` of `body` with `token` as the bearer. */
function postMcp(app: TestApp, token: string, body: unknown): Promise<Response> {
  return app.request("/mcp", {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
    },
    body: JSON.stringify(body),
  });
}

Deno.test("in Stytch mode /mcp takes Connected Apps tokens and names Stytch as its server", async () => {
  const issuer = await startTestIssuer();
  using app = await createTestApp({ env: stytchEnv(issuer) });
  try {
    const post = (token: string, body: unknown) => postMcp(app, token, body);

    const prm = await app.request("/.well-known/oauth-protected-resource/mcp");
    assert.deepEqual((await prm.json()).authorization_servers, [issuer.origin]);

    const token = await issuer.sign(accessTokenClaims(issuer));
    const created = await post(token, toolCall("createTodo", { todoText: "Via Stytch" }));
    assert.equal(created.status, 200);
    assert.equal((await created.json()).result.structuredContent.todo.text, "Via Stytch");
    assert.deepEqual((await listTodos(app.kv, TEST_USER_ID)).map((t) => t.text), ["Via Stytch"]);

    const readOnly = await issuer.sign(accessTokenClaims(issuer, { scope: "openid read:todos" }));
    const refused = await post(readOnly, toolCall("deleteTodo", { todoID: "x" }));
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get("WWW-Authenticate")!, /error="insufficient_scope"/);
    await refused.body?.cancel();

    const session = await issuer.sign(sessionClaims(issuer));
    const rejected = await post(session, initializeRequest());
    assert.equal(rejected.status, 401);
    assert.match(rejected.headers.get("WWW-Authenticate")!, /error="invalid_token"/);
    await rejected.body?.cancel();
  } finally {
    await issuer.close();
  }
});

Deno.test("in Stytch mode /mcp shares the session path's key rule: a rotation passes, keys unreachable are 503 JSON with Retry-After", async () => {
  const issuer = await startTestIssuer();
  using app = await createTestApp({ env: stytchEnv(issuer) });
  try {
    const post = (token: string) => postMcp(app, token, initializeRequest());
    const first = await post(await issuer.sign(accessTokenClaims(issuer)));
    assert.equal(first.status, 200);
    await first.body?.cancel();

    await issuer.rotate();
    const rotated = await post(await issuer.sign(accessTokenClaims(issuer)));
    assert.equal(rotated.status, 200, "a key rotated in just now is fetched, not refused");
    await rotated.body?.cancel();

    issuer.setMode("down");
    await issuer.rotate();
    const down = await post(await issuer.sign(accessTokenClaims(issuer)));
    assert.equal(down.status, 503);
    assert.ok(Number(down.headers.get("Retry-After")) > 0);
    assert.match(down.headers.get("Content-Type")!, /json/);
    assert.match(JSON.stringify(await down.json()), /Sign-in is briefly unavailable/);
  } finally {
    await issuer.close();
  }
});
