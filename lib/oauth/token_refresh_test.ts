/** The token endpoint's refresh_token grant: rotation, the reuse grace window, revocation. */
import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "../testing/app.ts";
import { revokeConsent } from "./store/consents.ts";
import {
  approvedCode,
  exchangeCode,
  mcpPingStatus,
  oauthErrorOf,
  refreshRequest,
  registerClient,
  RESOURCE,
  tokenRequest,
  verifyForMcp,
} from "../testing/oauth.ts";

/** Every KV entry (key, value, versionstamp), to assert that a refusal changed nothing. */
async function kvSnapshot(kv: Deno.Kv): Promise<unknown[]> {
  return await Array.fromAsync(kv.list({ prefix: [] }));
}

Deno.test("refresh rotates the refresh token and the new access token works", async () => {
  using app = await createTestApp();
  const { clientId, verifier, code } = await approvedCode(app);
  const first = await exchangeCode(app, clientId, code, verifier);
  const response = await refreshRequest(app, clientId, first.refresh_token, {
    resource: RESOURCE,
  });
  assert.equal(response.status, 200);
  const second = await response.json();
  assert.notEqual(second.refresh_token, first.refresh_token);
  assert.notEqual(second.access_token, first.access_token);
  assert.equal((await verifyForMcp(app, second.access_token)).clientId, clientId);

  const narrowed = await refreshRequest(app, clientId, second.refresh_token, {
    scope: "read:todos",
  });
  const third = await narrowed.json();
  assert.equal(third.scope, "read:todos");
  assert.deepEqual((await verifyForMcp(app, third.access_token)).scopes, ["read:todos"]);
});

/** A fresh grant's first tokens, and a clock the token endpoint reads (moved by `advance`). */
async function grantWithClock(app: TestApp) {
  let offset = 0;
  app.deps.clock = () => Date.now() + offset;
  const { clientId, verifier, code } = await approvedCode(app);
  const first = await exchangeCode(app, clientId, code, verifier);
  return { clientId, first, advance: (ms: number) => offset += ms };
}

Deno.test("reusing a rotated refresh token after the grace window revokes the grant, also at /mcp", async () => {
  using app = await createTestApp();
  const { clientId, first, advance } = await grantWithClock(app);
  const second = await (await refreshRequest(app, clientId, first.refresh_token)).json();
  assert.equal(await mcpPingStatus(app.request, second.access_token), 200);

  advance(10_001);
  const reuse = await refreshRequest(app, clientId, first.refresh_token);
  assert.deepEqual(await oauthErrorOf(reuse), { status: 400, error: "invalid_grant" });
  const latest = await refreshRequest(app, clientId, second.refresh_token);
  assert.deepEqual(await oauthErrorOf(latest), { status: 400, error: "invalid_grant" });
  await assert.rejects(verifyForMcp(app, second.access_token), /revoked/);
  assert.equal(await mcpPingStatus(app.request, second.access_token), 401);
  assert.equal(await mcpPingStatus(app.request, first.access_token), 401);
});

Deno.test("within the grace window a rotated refresh token gets its live successor, revoking nothing", async () => {
  using app = await createTestApp();
  const { clientId, first, advance } = await grantWithClock(app);
  const second = await (await refreshRequest(app, clientId, first.refresh_token)).json();
  advance(9_000);
  const again = await refreshRequest(app, clientId, first.refresh_token, { scope: "read:todos" });
  assert.equal(again.status, 200, await again.clone().text());
  const retried = await again.json();
  assert.equal(retried.refresh_token, second.refresh_token, "the one live refresh token");
  assert.notEqual(retried.access_token, second.access_token, "a fresh access token");
  assert.equal(retried.scope, "read:todos", "narrowed as asked");
  for (const token of [first.access_token, second.access_token, retried.access_token]) {
    assert.equal(await mcpPingStatus(app.request, token), 200);
  }
  const third = await refreshRequest(app, clientId, second.refresh_token);
  assert.equal(third.status, 200, "the chain moves on from the shared token");
  await third.body?.cancel();
});

Deno.test("reusing a token whose successor was already refreshed revokes the grant, even in the window", async () => {
  using app = await createTestApp();
  const { clientId, first } = await grantWithClock(app);
  const second = await (await refreshRequest(app, clientId, first.refresh_token)).json();
  const third = await (await refreshRequest(app, clientId, second.refresh_token)).json();
  const reuse = await refreshRequest(app, clientId, first.refresh_token);
  assert.deepEqual(await oauthErrorOf(reuse), { status: 400, error: "invalid_grant" });
  const latest = await refreshRequest(app, clientId, third.refresh_token);
  assert.deepEqual(await oauthErrorOf(latest), { status: 400, error: "invalid_grant" });
  assert.equal(await mcpPingStatus(app.request, third.access_token), 401);
});

Deno.test("a refresh grace of 0 turns the grace window off", async () => {
  using app = await createTestApp({ tuning: { tokens: { refreshReuseGraceMs: 0 } } });
  const { clientId, first } = await grantWithClock(app);
  const second = await (await refreshRequest(app, clientId, first.refresh_token)).json();
  const reuse = await refreshRequest(app, clientId, first.refresh_token);
  assert.deepEqual(await oauthErrorOf(reuse), { status: 400, error: "invalid_grant" });
  assert.equal(await mcpPingStatus(app.request, second.access_token), 401);
});

Deno.test("in the grace window a rotated token is still refused for another client, scope or resource", async () => {
  using app = await createTestApp();
  const { clientId, first } = await grantWithClock(app);
  const second = await (await refreshRequest(app, clientId, first.refresh_token)).json();
  const otherClient = await registerClient(app);
  const before = await kvSnapshot(app.kv);
  const cases: [string, Record<string, string>, string][] = [
    [otherClient, {}, "invalid_grant"],
    [clientId, { scope: "read:todos admin" }, "invalid_scope"],
    [clientId, { resource: "https://elsewhere.example/mcp" }, "invalid_target"],
  ];
  for (const [client, params, error] of cases) {
    const result = await oauthErrorOf(
      await refreshRequest(app, client, first.refresh_token, params),
    );
    assert.equal(result.error, error, JSON.stringify(params));
  }
  assert.deepEqual(await kvSnapshot(app.kv), before, "the refusals changed nothing stored");
  const still = await refreshRequest(app, clientId, first.refresh_token);
  assert.equal((await still.json()).refresh_token, second.refresh_token);
});

Deno.test("a refresh token is refused for another client, a wider scope or another resource", async () => {
  using app = await createTestApp();
  const { clientId, verifier, code } = await approvedCode(app);
  const tokens = await exchangeCode(app, clientId, code, verifier);
  const otherClient = await registerClient(app);
  const base = {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: tokens.refresh_token,
  };
  const cases: [Record<string, string>, string][] = [
    [{ client_id: otherClient }, "invalid_grant"],
    [{ scope: "read:todos admin" }, "invalid_scope"],
    [{ resource: "https://elsewhere.example/mcp" }, "invalid_target"],
    [{ refresh_token: "x".repeat(43) }, "invalid_grant"],
  ];
  for (const [overrides, error] of cases) {
    const result = await oauthErrorOf(await tokenRequest(app, { ...base, ...overrides }));
    assert.equal(result.error, error, JSON.stringify(overrides));
  }
  const still = await tokenRequest(app, base);
  assert.equal(still.status, 200, "refusals left the token usable");
  await still.body?.cancel();
});

Deno.test("revoking a connected app stops its refresh and access tokens", async () => {
  using app = await createTestApp();
  const { clientId, verifier, code } = await approvedCode(app);
  const tokens = await exchangeCode(app, clientId, code, verifier);
  const { userId } = await verifyForMcp(app, tokens.access_token);
  assert.equal(await revokeConsent(app.kv, userId, clientId), true);
  await assert.rejects(verifyForMcp(app, tokens.access_token), /revoked/);
  const refresh = await refreshRequest(app, clientId, tokens.refresh_token);
  assert.deepEqual(await oauthErrorOf(refresh), { status: 400, error: "invalid_grant" });
});

Deno.test("concurrent refreshes of one token all succeed with the same new refresh token", async () => {
  using app = await createTestApp();
  const { clientId, first } = await grantWithClock(app);
  const responses = await Promise.all(
    [1, 2, 3].map(() => refreshRequest(app, clientId, first.refresh_token)),
  );
  const bodies = await Promise.all(responses.map((r) => r.json()));
  assert.deepEqual(responses.map((r) => r.status), [200, 200, 200], JSON.stringify(bodies));
  assert.equal(new Set(bodies.map((b) => b.refresh_token)).size, 1, "one live refresh token");
  assert.notEqual(bodies[0].refresh_token, first.refresh_token);
  assert.equal(new Set(bodies.map((b) => b.access_token)).size, 3);
  for (const body of bodies) assert.equal(await mcpPingStatus(app.request, body.access_token), 200);
  for await (const entry of app.kv.list({ prefix: [] })) {
    const stored = JSON.stringify(entry.value, (_, v) => typeof v === "bigint" ? `${v}` : v);
    for (const token of [first.refresh_token, bodies[0].refresh_token]) {
      assert.ok(!stored.includes(token), `raw refresh token under ${String(entry.key)}`);
    }
  }
  const next = await refreshRequest(app, clientId, bodies[0].refresh_token);
  assert.equal(next.status, 200, "the grant lives on");
  await next.body?.cancel();
});
