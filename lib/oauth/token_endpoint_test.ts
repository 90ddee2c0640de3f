import assert from "node:assert/strict";
import { createTestApp } from "../testing/app.ts";
import { hashSecret } from "./secrets.ts";
import { codeKey, redeemCode, type StoredCode } from "./store/codes.ts";
import {
  approvedCode,
  exchangeCode,
  oauthErrorOf,
  pkcePair,
  REDIRECT_URI,
  refreshRequest,
  registerClient,
  RESOURCE,
  tokenRequest,
  verifyForMcp,
} from "../testing/oauth.ts";

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
  const grant = await verifyForMcp(app, body.access_token);
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
    const result = await oauthErrorOf(await tokenRequest(app, { ...good, ...overrides }));
    assert.deepEqual(result, { status, error }, JSON.stringify(overrides));
  }
  const missing = await oauthErrorOf(
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
  await verifyForMcp(app, tokens.access_token);

  const replay = await tokenRequest(app, {
    grant_type: "authorization_code",
    client_id: clientId,
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
  });
  assert.deepEqual(await oauthErrorOf(replay), { status: 400, error: "invalid_grant" });
  await assert.rejects(verifyForMcp(app, tokens.access_token), /revoked/);
  const refresh = await refreshRequest(app, clientId, tokens.refresh_token);
  assert.deepEqual(await oauthErrorOf(refresh), { status: 400, error: "invalid_grant" });
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

Deno.test("the token endpoint wants a form body, once-only parameters and a bounded size", async () => {
  using app = await createTestApp();
  const json = await app.request("/oauth/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ grant_type: "authorization_code" }),
  });
  assert.deepEqual(await oauthErrorOf(json), { status: 400, error: "invalid_request" });
  const repeated = await app.request("/oauth/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "grant_type=refresh_token&grant_type=authorization_code",
  });
  assert.deepEqual(await oauthErrorOf(repeated), { status: 400, error: "invalid_request" });
  const huge = await tokenRequest(app, { grant_type: "refresh_token", pad: "x".repeat(20_000) });
  assert.deepEqual(await oauthErrorOf(huge), { status: 413, error: "invalid_request" });
  const noGrant = await tokenRequest(app, {});
  assert.deepEqual(await oauthErrorOf(noGrant), { status: 400, error: "invalid_request" });
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
    assert.deepEqual(await oauthErrorOf(refused), { status: 401, error: "invalid_client" });
    assert.equal(refused.headers.get("WWW-Authenticate"), 'Basic realm="oauth"', authorization);
  }
  const unknownInBody = await tokenRequest(app, { ...form, client_id: "mcp-client-unknown" });
  assert.deepEqual(await oauthErrorOf(unknownInBody), { status: 401, error: "invalid_client" });
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
