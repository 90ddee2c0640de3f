import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "../testing/app.ts";
import { findClient, newClientId } from "./client_lookup.ts";
import { clientKeys, type StoredClient } from "./store/clients.ts";
import {
  authorizeCode,
  authorizePath,
  csrfTokenOf,
  exchangeCode,
  pkcePair,
  postConsent,
  REDIRECT_URI,
  registerClient,
  RESOURCE,
  tokenRequest,
} from "../testing/oauth.ts";

function register(app: TestApp, body: unknown, contentType = "application/json") {
  return app.request("/oauth/register", {
    method: "POST",
    headers: { "Content-Type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function countClients(kv: Deno.Kv): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: ["oauth_clients"] })) n++;
  return n;
}

Deno.test("registration stores a public client and answers RFC 7591 metadata", async () => {
  using app = await createTestApp();
  const response = await register(app, {
    client_name: "MCP Inspector",
    redirect_uris: ["http://localhost:6274/oauth/callback", "https://app.example/cb"],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    scope: "read:todos write:todos",
  });
  assert.equal(response.status, 201);
  assert.equal(response.headers.get("Cache-Control"), "no-store");
  const body = await response.json();
  assert.match(body.client_id, /^mcp-client-/);
  assert.equal(body.client_secret, undefined);
  assert.equal(body.token_endpoint_auth_method, "none");
  assert.equal(body.client_name, "MCP Inspector");
  assert.deepEqual(body.redirect_uris, [
    "http://localhost:6274/oauth/callback",
    "https://app.example/cb",
  ]);
  assert.equal(body.scope, "read:todos write:todos");
  const stored = (await app.kv.get<StoredClient>(clientKeys.client(body.client_id))).value;
  assert.equal(stored?.clientName, "MCP Inspector");
});

Deno.test("Claude's registration (client_secret_post) gets a public client that completes the flow", async () => {
  using app = await createTestApp();
  const callback = "https://claude.ai/api/mcp/auth_callback";
  // What claude.ai sends (RFC 7591 §3.2.1 lets the server answer with another method).
  const response = await register(app, {
    client_name: "Claude",
    redirect_uris: [callback],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
  });
  assert.equal(response.status, 201);
  const body = await response.json();
  assert.equal(body.token_endpoint_auth_method, "none");
  assert.equal(body.client_secret, undefined);
  assert.deepEqual(body.redirect_uris, [callback]);
  for (const method of ["none", "client_secret_basic"]) {
    const other = await register(app, {
      redirect_uris: [callback],
      token_endpoint_auth_method: method,
    });
    assert.equal(other.status, 201, method);
    assert.equal((await other.json()).token_endpoint_auth_method, "none", method);
  }

  const { verifier, challenge } = await pkcePair();
  const cookie = await app.signIn("ada@example.com");
  const page = await app.request(
    authorizePath(body.client_id, challenge, { redirect_uri: callback, scope: null }),
    { headers: { Cookie: cookie } },
  );
  assert.equal(page.status, 200);
  const allowed = await postConsent(app, cookie, csrfTokenOf(await page.text()), "allow");
  const landed = new URL(allowed.headers.get("Location")!);
  assert.equal(landed.origin + landed.pathname, callback);
  const token = await tokenRequest(app, {
    grant_type: "authorization_code",
    client_id: body.client_id,
    code: landed.searchParams.get("code")!,
    code_verifier: verifier,
    redirect_uri: callback,
    resource: RESOURCE,
  });
  assert.equal(token.status, 200, await token.clone().text());
  assert.equal((await token.json()).scope, "read:todos write:todos");
});

Deno.test("client names lose control and invisible formatting characters", async () => {
  using app = await createTestApp();
  for (
    const [name, shown] of [
      ["Good\u202Eevil", "Goodevil"],
      ["Zero\u200Bwidth\u2066app", "Zerowidthapp"],
      ["Line\nbreak\u2028too", "Linebreaktoo"],
      ["  spaced   out  ", "spaced out"],
      ["\u202E\u200B", undefined],
    ]
  ) {
    const response = await register(app, { client_name: name, redirect_uris: [REDIRECT_URI] });
    assert.equal(response.status, 201);
    assert.equal((await response.json()).client_name, shown, JSON.stringify(name));
  }
});

Deno.test("bad registrations get a clear RFC 7591 error and store nothing", async () => {
  // More requests than the default 20 a minute from one address (see registration_limits_test.ts).
  using app = await createTestApp({ tuning: { rateLimits: { registrationsPerMinute: 100 } } });
  const uri = "https://app.example/cb";
  const cases: [unknown, string, RegExp][] = [
    [{}, "invalid_redirect_uri", /redirect_uris must be a non-empty array/],
    [{ redirect_uris: [] }, "invalid_redirect_uri", /non-empty/],
    [{ redirect_uris: "https://app.example/cb" }, "invalid_redirect_uri", /array/],
    [{ redirect_uris: ["http://app.example/cb"] }, "invalid_redirect_uri", /loopback/],
    [{ redirect_uris: ["https://app.example/cb#frag"] }, "invalid_redirect_uri", /fragment/],
    [{ redirect_uris: ["javascript:alert(1)"] }, "invalid_redirect_uri", /https/],
    [{ redirect_uris: ["data:text/html,hi"] }, "invalid_redirect_uri", /https/],
    [{ redirect_uris: ["/relative"] }, "invalid_redirect_uri", /absolute/],
    [{ redirect_uris: ["https://user:pw@app.example/cb"] }, "invalid_redirect_uri", /credentials/],
    [
      { redirect_uris: [`https://app.example/${"a".repeat(2000)}`] },
      "invalid_redirect_uri",
      /2000/,
    ],
    [
      { redirect_uris: Array.from({ length: 11 }, (_, i) => `${uri}${i}`) },
      "invalid_redirect_uri",
      /at most 10/,
    ],
    [{ redirect_uris: [uri], client_name: "x".repeat(201) }, "invalid_client_metadata", /200/],
    [{ redirect_uris: [uri], client_name: 42 }, "invalid_client_metadata", /string/],
    [
      { redirect_uris: [uri], grant_types: ["client_credentials"] },
      "invalid_client_metadata",
      /not supported/,
    ],
    [
      { redirect_uris: [uri], grant_types: ["refresh_token"] },
      "invalid_client_metadata",
      /authorization_code/,
    ],
    [{ redirect_uris: [uri], response_types: ["token"] }, "invalid_client_metadata", /code/],
    [
      { redirect_uris: [uri], token_endpoint_auth_method: "private_key_jwt" },
      "invalid_client_metadata",
      /public/,
    ],
    [
      { redirect_uris: [uri], client_uri: "javascript:alert(1)" },
      "invalid_client_metadata",
      /client_uri/,
    ],
    [[uri], "invalid_client_metadata", /object/],
    ["{not json", "invalid_client_metadata", /not valid JSON/],
  ];
  for (const [body, error, description] of cases) {
    const response = await register(app, body);
    assert.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
    const answer = await response.json();
    assert.equal(answer.error, error, JSON.stringify(body).slice(0, 80));
    assert.match(answer.error_description, description);
  }
  const wrongType = await register(app, { redirect_uris: [uri] }, "text/plain");
  assert.equal((await wrongType.json()).error, "invalid_client_metadata");
  const huge = await register(app, { redirect_uris: [uri], pad: "x".repeat(20_000) });
  assert.equal(huge.status, 413);
  await huge.body?.cancel();
  assert.equal(await countClients(app.kv), 0);
});

Deno.test("a registered client lives a day unless used; a use extends its life", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const fresh = await app.kv.get<StoredClient>(clientKeys.client(clientId));
  assert.equal(fresh.value!.lastUsedAt, 0, "never used yet: kept for a day only");
  const { verifier, challenge } = await pkcePair();
  const { code } = await authorizeCode(app, clientId, challenge);
  await exchangeCode(app, clientId, code, verifier);
  const used = await app.kv.get<StoredClient>(clientKeys.client(clientId));
  assert.ok(used.value!.lastUsedAt > 0, "the use was recorded (and the 30-day lifetime set)");
  assert.notEqual(used.versionstamp, fresh.versionstamp);
});

Deno.test('registration treats "client_uri": "" as absent (as the mcp-use client sends it)', async () => {
  using app = await createTestApp();
  const response = await register(app, {
    client_name: "mcp-use",
    redirect_uris: ["http://localhost:8080/callback"],
    client_uri: "",
    logo_uri: "",
    token_endpoint_auth_method: "none",
  });
  assert.equal(response.status, 201, await response.clone().text());
  const body = await response.json();
  assert.equal("client_uri" in body, false, "nothing to show as the client's site");
  const stored = await app.kv.get<StoredClient>(clientKeys.client(body.client_id));
  assert.equal(stored.value?.clientUri ?? null, null);
  const refused = await register(app, { redirect_uris: [REDIRECT_URI], client_uri: " " });
  assert.equal(refused.status, 400, "a blank that is not empty is still no URL");
});

Deno.test("a registered client's life is checked in code: a day while unused, 30 days after its last use", async () => {
  using app = await createTestApp();
  const day = 24 * 60 * 60 * 1000;
  const now = Date.now();
  const client = (createdAt: number, lastUsedAt: number): StoredClient => ({
    clientId: newClientId(),
    source: "registered",
    clientName: "App",
    redirectUris: [REDIRECT_URI],
    scopes: null,
    clientUri: null,
    createdAt,
    lastUsedAt,
  });
  const cases: [StoredClient, boolean][] = [
    [client(now - 23 * 60 * 60 * 1000, 0), true],
    [client(now - 25 * 60 * 60 * 1000, 0), false],
    [client(now - 40 * day, now - 29 * day), true],
    [client(now - 40 * day, now - 31 * day), false],
  ];
  for (const [stored, live] of cases) {
    // KV would keep these (its expiry is a backstop against clock jumps); the code decides.
    await app.kv.set(clientKeys.client(stored.clientId), stored);
    const found = await findClient(app.kv, stored.clientId, ["read:todos"]);
    assert.equal(found !== null, live, JSON.stringify(stored));
  }
});
