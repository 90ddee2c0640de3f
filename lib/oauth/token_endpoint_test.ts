import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "../testing/app.ts";
import { hashSecret } from "./secrets.ts";
import { codeKey, redeemCode, type StoredCode } from "./store/codes.ts";
import { revokeConsent } from "./store/consents.ts";
import {
  approvedCode,
  exchangeCode,
  mcpPingStatus,
  pkcePair,
  REDIRECT_URI,
  registerClient,
  RESOURCE,
  tokenRequest,
} from "./test_support.ts";

/** Every KV entry (key, value, versionstamp), to assert that a refusal changed nothing. */
async function kvSnapshot(kv: Deno.Kv): Promise<unknown[]> {
  return await Array.fromAsync(kv.list({ prefix: [] }));
}

async function oauthError(response: Response): Promise<{ status: number; error: string }> {
  assert.equal(response.headers.get("Cache-Control"), "no-store");
  const body = await response.json();
  assert.equal(typeof body.error_description, "string");
  return { status: response.status, error: body.error };
}

/** A bearer call to verify an access token the way /mcp does. */
function verify(app: TestApp, token: string) {
  return app.deps.identity.verifyAccessToken(token, RESOURCE);
}

Deno.test("a code exchanges for a Bearer access token and a refresh token, never cached", async () => {
  using app = await createTestApp();
  const { clientId, verifier, code } = await approvedCode(app);
  const response = await tokenRequest(app, {
    grant_type: "authorization_code",
    client_id: clientId,
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
    resource: RESOURCE,
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Cache-Control"), "no-store");
  const body = await response.json();
  assert.equal(body.token_type, "Bearer");
  assert.equal(body.expires_in, 3600);
  assert.equal(body.scope, "read:todos write:todos");
  assert.match(body.refresh_token, /^[A-Za-z0-9_-]{43}$/);
  const grant = await verify(app, body.access_token);
  assert.equal(grant.clientId, clientId);
  assert.deepEqual(grant.scopes, ["read:todos", "write:todos"]);
  assert.match(grant.userId, /^user-local-/);
});

Deno.test("the code is stored only as a hash", async () => {
  using app = await createTestApp();
  const { code } = await approvedCode(app);
  assert.equal((await app.kv.get(codeKey(code))).value, null);
  assert.ok((await app.kv.get(codeKey(await hashSecret(code)))).value);
  for await (const entry of app.kv.list({ prefix: [] })) {
    const stored = JSON.stringify(entry, (_, v) => typeof v === "bigint" ? `${v}` : v);
    assert.ok(!stored.includes(code), `raw code under ${String(entry.key)}`);
  }
});

Deno.test("a wrong verifier, redirect_uri, client or resource is refused and the code still works", async () => {
  using app = await createTestApp();
  const { clientId, verifier, code } = await approvedCode(app);
  const otherClient = await registerClient(app);
  const good = {
    grant_type: "authorization_code",
    client_id: clientId,
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
  };
  const cases: [Record<string, string>, number, string][] = [
    [{ code_verifier: (await pkcePair()).verifier }, 400, "invalid_grant"],
    [{ code_verifier: "short" }, 400, "invalid_request"],
    [{ redirect_uri: "http://127.0.0.1:9/callback" }, 400, "invalid_grant"],
    [{ client_id: otherClient }, 400, "invalid_grant"],
    [{ client_id: "mcp-client-00000000-0000-0000-0000-000000000000" }, 401, "invalid_client"],
    [{ resource: "https://elsewhere.example/mcp" }, 400, "invalid_target"],
    [{ code: "not-a-code" }, 400, "invalid_grant"],
    [{ grant_type: "password" }, 400, "unsupported_grant_type"],
  ];
  for (const [overrides, status, error] of cases) {
    const result = await oauthError(await tokenRequest(app, { ...good, ...overrides }));
    assert.deepEqual(result, { status, error }, JSON.stringify(overrides));
  }
  const missing = await oauthError(
    await tokenRequest(app, { grant_type: "authorization_code", client_id: clientId, code }),
  );
  assert.deepEqual(missing, { status: 400, error: "invalid_request" });
  const tokens = await exchangeCode(app, clientId, code, verifier);
  assert.ok(tokens.access_token);
});

Deno.test("a replayed code is refused and revokes the tokens it issued", async () => {
  using app = await createTestApp();
  const { clientId, verifier, code } = await approvedCode(app);
  const tokens = await exchangeCode(app, clientId, code, verifier);
  await verify(app, tokens.access_token);

  const replay = await tokenRequest(app, {
    grant_type: "authorization_code",
    client_id: clientId,
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
  });
  assert.deepEqual(await oauthError(replay), { status: 400, error: "invalid_grant" });
  await assert.rejects(verify(app, tokens.access_token), /revoked/);
  const refresh = await tokenRequest(app, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: tokens.refresh_token,
  });
  assert.deepEqual(await oauthError(refresh), { status: 400, error: "invalid_grant" });
});

Deno.test("a code expires within ten minutes", async () => {
  using app = await createTestApp();
  const { code } = await approvedCode(app);
  const hash = await hashSecret(code);
  const stored = (await app.kv.get<StoredCode>(codeKey(hash))).value!;
  assert.ok(stored.expiresAt - Date.now() <= 10 * 60 * 1000);
  const outcome = await redeemCode(app.kv, hash, stored.expiresAt, () => {}, () => {
    throw new Error("must not issue");
  });
  assert.equal(outcome.kind, "expired");
  assert.equal((await app.kv.get<StoredCode>(codeKey(hash))).value!.redeemedGrantId, null);
});

Deno.test("refresh rotates the refresh token and the new access token works", async () => {
  using app = await createTestApp();
  const { clientId, verifier, code } = await approvedCode(app);
  const first = await exchangeCode(app, clientId, code, verifier);
  const response = await tokenRequest(app, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: first.refresh_token,
    resource: RESOURCE,
  });
  assert.equal(response.status, 200);
  const second = await response.json();
  assert.notEqual(second.refresh_token, first.refresh_token);
  assert.notEqual(second.access_token, first.access_token);
  assert.equal((await verify(app, second.access_token)).clientId, clientId);

  const narrowed = await tokenRequest(app, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: second.refresh_token,
    scope: "read:todos",
  });
  const third = await narrowed.json();
  assert.equal(third.scope, "read:todos");
  assert.deepEqual((await verify(app, third.access_token)).scopes, ["read:todos"]);
});

/** Refreshes `refreshToken` for `clientId` with extra `params`. */
function refreshRequest(
  app: TestApp,
  clientId: string,
  refreshToken: string,
  params: Record<string, string> = {},
): Promise<Response> {
  return tokenRequest(app, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: refreshToken,
    ...params,
  });
}

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
  assert.deepEqual(await oauthError(reuse), { status: 400, error: "invalid_grant" });
  const latest = await refreshRequest(app, clientId, second.refresh_token);
  assert.deepEqual(await oauthError(latest), { status: 400, error: "invalid_grant" });
  await assert.rejects(verify(app, second.access_token), /revoked/);
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
  assert.deepEqual(await oauthError(reuse), { status: 400, error: "invalid_grant" });
  const latest = await refreshRequest(app, clientId, third.refresh_token);
  assert.deepEqual(await oauthError(latest), { status: 400, error: "invalid_grant" });
  assert.equal(await mcpPingStatus(app.request, third.access_token), 401);
});

Deno.test("OAUTH_REFRESH_GRACE_SECONDS=0 turns the grace window off", async () => {
  using app = await createTestApp({ env: { OAUTH_REFRESH_GRACE_SECONDS: "0" } });
  const { clientId, first } = await grantWithClock(app);
  const second = await (await refreshRequest(app, clientId, first.refresh_token)).json();
  const reuse = await refreshRequest(app, clientId, first.refresh_token);
  assert.deepEqual(await oauthError(reuse), { status: 400, error: "invalid_grant" });
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
    const result = await oauthError(await refreshRequest(app, client, first.refresh_token, params));
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
    const result = await oauthError(await tokenRequest(app, { ...base, ...overrides }));
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
  const { userId } = await verify(app, tokens.access_token);
  assert.equal(await revokeConsent(app.kv, userId, clientId), true);
  await assert.rejects(verify(app, tokens.access_token), /revoked/);
  const refresh = await tokenRequest(app, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: tokens.refresh_token,
  });
  assert.deepEqual(await oauthError(refresh), { status: 400, error: "invalid_grant" });
});

Deno.test("the token endpoint wants a form body, once-only parameters and a bounded size", async () => {
  using app = await createTestApp();
  const json = await app.request("/oauth/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ grant_type: "authorization_code" }),
  });
  assert.deepEqual(await oauthError(json), { status: 400, error: "invalid_request" });
  const repeated = await app.request("/oauth/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "grant_type=refresh_token&grant_type=authorization_code",
  });
  assert.deepEqual(await oauthError(repeated), { status: 400, error: "invalid_request" });
  const huge = await tokenRequest(app, { grant_type: "refresh_token", pad: "x".repeat(20_000) });
  assert.deepEqual(await oauthError(huge), { status: 413, error: "invalid_request" });
  const noGrant = await tokenRequest(app, {});
  assert.deepEqual(await oauthError(noGrant), { status: 400, error: "invalid_request" });
});

Deno.test("the token endpoint answers CORS preflights for browser-based clients", async () => {
  using app = await createTestApp();
  const response = await app.request("/oauth/token", {
    method: "OPTIONS",
    headers: {
      Origin: "http://localhost:6274",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type",
    },
  });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("Access-Control-Allow-Origin"), "*");
  await response.body?.cancel();
});

Deno.test("a browser client on another origin can register and redeem; cookie endpoints stay closed", async () => {
  using app = await createTestApp();
  const inspector = "http://localhost:6274";
  for (
    const [path, headers] of [["/oauth/register", "content-type"], [
      "/oauth/token",
      "content-type,authorization",
    ]]
  ) {
    const preflight = await app.request(path, {
      method: "OPTIONS",
      headers: {
        Origin: inspector,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
      },
    });
    assert.equal(preflight.status, 204, path);
    assert.equal(preflight.headers.get("Access-Control-Allow-Origin"), "*", path);
    assert.equal(preflight.headers.get("Access-Control-Allow-Credentials"), null, path);
    await preflight.body?.cancel();
  }
  const registered = await app.request("/oauth/register", {
    method: "POST",
    headers: { Origin: inspector, "Content-Type": "application/json" },
    body: JSON.stringify({ redirect_uris: [`${inspector}/oauth/callback`] }),
  });
  assert.equal(registered.status, 201);
  assert.equal(registered.headers.get("Access-Control-Allow-Origin"), "*");
  const { client_id } = await registered.json();
  const refused = await app.request("/oauth/token", {
    method: "POST",
    headers: { Origin: inspector, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", client_id, code: "x" }),
  });
  assert.equal(refused.status, 400);
  assert.equal(refused.headers.get("Access-Control-Allow-Origin"), "*", "errors are readable");
  assert.equal((await refused.json()).error, "invalid_request");

  const cookie = await app.signIn("ada@example.com");
  for (const path of ["/oauth/authorize", "/connections", "/api/todos"]) {
    const response = await app.request(path, {
      headers: { Origin: "https://evil.example", Cookie: cookie },
    });
    assert.equal(response.headers.get("Access-Control-Allow-Origin"), null, path);
    await response.body?.cancel();
    const preflight = await app.request(path, {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
    });
    assert.equal(preflight.headers.get("Access-Control-Allow-Origin"), null, `${path} preflight`);
    await preflight.body?.cancel();
  }
});

Deno.test("error descriptions keep to RFC 6749's characters and a bounded length", async () => {
  using app = await createTestApp();
  const response = await tokenRequest(app, { grant_type: `"\\é\u0000${"g".repeat(5000)}` });
  const { error, error_description } = await response.json();
  assert.equal(error, "unsupported_grant_type");
  assert.match(error_description, /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
  assert.ok(error_description.length <= 300, `${error_description.length} characters`);
  const redirect = await app.request(
    `/oauth/authorize?client_id=${await registerClient(app)}&redirect_uri=${
      encodeURIComponent(REDIRECT_URI)
    }&response_type=${"é".repeat(400)}`,
    { headers: { Cookie: await app.signIn("ada@example.com") } },
  );
  const sent = new URL(redirect.headers.get("Location")!).searchParams.get("error_description")!;
  assert.match(sent, /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
});

Deno.test("a client may name itself with HTTP Basic; a bad Basic header gets a 401 challenge", async () => {
  using app = await createTestApp();
  const { clientId, verifier, code } = await approvedCode(app);
  const form = {
    grant_type: "authorization_code",
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
  };
  const post = (authorization: string, params: Record<string, string>) =>
    app.request("/oauth/token", {
      method: "POST",
      headers: {
        Authorization: authorization,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(params),
    });
  for (
    const authorization of [
      "Basic !!!",
      `Basic ${btoa("no-colon")}`,
      `Basic ${btoa("mcp-client-00000000-0000-0000-0000-000000000000:")}`,
      `Basic ${btoa("someone-else:x")}`,
    ]
  ) {
    const refused = await post(authorization, { ...form, client_id: clientId });
    assert.deepEqual(await oauthError(refused), { status: 401, error: "invalid_client" });
    assert.equal(refused.headers.get("WWW-Authenticate"), 'Basic realm="oauth"', authorization);
  }
  const unknownInBody = await tokenRequest(app, { ...form, client_id: "mcp-client-unknown" });
  assert.deepEqual(await oauthError(unknownInBody), { status: 401, error: "invalid_client" });
  assert.equal(unknownInBody.headers.get("WWW-Authenticate"), null, "no header, no challenge");
  const ok = await post(`Basic ${btoa(`${clientId}:`)}`, form);
  assert.equal(ok.status, 200, "the code still works after the refusals");
  await ok.body?.cancel();
});

Deno.test("concurrent redemptions of one code issue tokens at most once", async () => {
  using app = await createTestApp();
  const { clientId, verifier, code } = await approvedCode(app);
  const request = () =>
    tokenRequest(app, {
      grant_type: "authorization_code",
      client_id: clientId,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
    });
  const responses = await Promise.all([request(), request(), request()]);
  const statuses = responses.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 400, 400]);
  await Promise.all(responses.map((r) => r.body?.cancel()));
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
