import assert from "node:assert/strict";
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import { InvalidTokenError } from "../auth/jwt.ts";
import { createTestApp, TEST_ORIGIN, type TestApp } from "../testing/app.ts";
import { startTestIssuer } from "../testing/issuer.ts";
import { currentSigningKey } from "./key_rotation.ts";
import { grantKeys, revokeGrant } from "./store/grants.ts";
import { getSigningKeys } from "./store/signing_keys.ts";
import {
  GRANT_RECHECK_MS,
  issueAccessToken,
  NOT_BEFORE_SKEW_SECONDS,
  signingKeyPolicy,
  verifyLocalAccessToken,
} from "./tokens.ts";
import {
  approvedCode,
  authorizeCode,
  exchangeCode,
  mcpPing,
  pkcePair,
  REDIRECT_URI,
  registerClient,
  RESOURCE,
  tokenRequest,
  verifyForMcp,
} from "../testing/oauth.ts";

/** A real access token from the full flow, and its claims. */
async function realToken(app: TestApp) {
  const { clientId, verifier, code } = await approvedCode(app);
  const { access_token } = await exchangeCode(app, clientId, code, verifier);
  return { token: access_token, claims: decodeJwt(access_token), clientId };
}

/** Signs `claims` with the server's own key (to forge near-miss tokens). */
async function signOwn(app: TestApp, claims: Record<string, unknown>, typ = "at+jwt") {
  const key = await currentSigningKey(
    app.kv,
    signingKeyPolicy(app.config.tokens.signingKeyRotationMs),
  );
  return await new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ, kid: key.kid })
    .sign(key.privateKey);
}

Deno.test("access tokens carry Stytch-shaped claims bound to the /mcp resource", async () => {
  using app = await createTestApp();
  const { token, claims, clientId } = await realToken(app);
  assert.equal(decodeProtectedHeader(token).typ, "at+jwt");
  assert.equal(claims.iss, TEST_ORIGIN);
  assert.equal(claims.aud, RESOURCE);
  assert.equal(claims.client_id, clientId);
  assert.equal(claims.scope, "read:todos write:todos");
  assert.match(claims.sub!, /^user-local-/);
  assert.equal(typeof claims.jti, "string");
  assert.equal(claims.nbf, claims.iat! - NOT_BEFORE_SKEW_SECONDS);
  assert.ok(Math.abs(claims.exp! - claims.iat! - 3600) <= 1);
  const grant = await verifyForMcp(app, token);
  assert.equal(grant.userId, claims.sub);
});

Deno.test("tokens for another audience or issuer, expired or of another type are refused", async () => {
  using app = await createTestApp();
  const { token, claims } = await realToken(app);
  await assert.rejects(verifyForMcp(app, token, "http://localhost:8000/other"), InvalidTokenError);
  await assert.rejects(verifyForMcp(app, token, "http://127.0.0.1:9999/mcp"), InvalidTokenError);
  const now = Math.floor(Date.now() / 1000);
  const nearMisses: [string, Promise<string>][] = [
    ["expired", signOwn(app, { ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 })],
    ["not yet valid", signOwn(app, { ...claims, nbf: now + 600 })],
    ["plain JWT type", signOwn(app, claims, "JWT")],
    ["no client_id", signOwn(app, { ...claims, client_id: undefined })],
    ["no grant", signOwn(app, { ...claims, grant_id: crypto.randomUUID() })],
  ];
  for (const [name, forged] of nearMisses) {
    await assert.rejects(verifyForMcp(app, await forged), InvalidTokenError, name);
  }
  const json = (value: unknown) =>
    new TextEncoder().encode(JSON.stringify(value))
      .toBase64({ alphabet: "base64url", omitPadding: true });
  const unsigned = `${json({ alg: "none", typ: "at+jwt" })}.${json(claims)}.`;
  await assert.rejects(verifyForMcp(app, unsigned), InvalidTokenError);
  await assert.rejects(verifyForMcp(app, "garbage"), InvalidTokenError);
});

Deno.test("a token verified before is still refused for another resource and once its grant is gone", async () => {
  using app = await createTestApp();
  const { token, claims, clientId } = await realToken(app);
  assert.equal((await verifyForMcp(app, token)).clientId, clientId);
  assert.equal((await verifyForMcp(app, token)).clientId, clientId); // remembered
  await assert.rejects(verifyForMcp(app, token, "http://localhost:8000/other"), InvalidTokenError);
  // Revoked in this isolate: refused on the next call.
  await revokeGrant(app.kv, claims.sub!, clientId, claims.grant_id as string);
  await assert.rejects(verifyForMcp(app, token), /revoked/);
});

Deno.test("a grant removed by another process refuses the token once GRANT_RECHECK_MS has passed", async () => {
  using app = await createTestApp();
  const { token, claims, clientId } = await realToken(app);
  const now = Date.now();
  await verifyLocalAccessToken(app.kv, token, RESOURCE, now);
  // Another process's revocation (on the same KV file): only KV knows; this one reads again in time.
  const grants = await Array.fromAsync(
    app.kv.list({ prefix: grantKeys.grantsOf(claims.sub!, clientId) }),
  );
  assert.equal(grants.length, 1);
  await app.kv.delete(grants[0].key);
  const later = verifyLocalAccessToken(app.kv, token, RESOURCE, now + GRANT_RECHECK_MS);
  await assert.rejects(later, /revoked/);
  // Once refused, the token is forgotten: it is not served from memory again.
  await assert.rejects(verifyLocalAccessToken(app.kv, token, RESOURCE, now), /revoked/);
});

Deno.test("a token signed by another key with the same claims is refused", async () => {
  using app = await createTestApp();
  const { claims } = await realToken(app);
  const issuer = await startTestIssuer();
  try {
    const forged = await issuer.sign(claims);
    await assert.rejects(verifyForMcp(app, forged), InvalidTokenError);
  } finally {
    await issuer.close();
  }
});

Deno.test("the signing key is made once, kept in KV, and only its public half is published", async () => {
  using app = await createTestApp();
  const response = await app.request("/oauth/jwks.json");
  assert.equal(response.status, 200);
  const { keys } = await response.json();
  assert.equal(keys.length, 1);
  const stored = (await getSigningKeys(app.kv))?.current;
  assert.equal(keys[0].kid, stored?.kid);
  assert.equal(keys[0].alg, "RS256");
  for (const secret of ["d", "p", "q", "dp", "dq", "qi"]) assert.equal(keys[0][secret], undefined);
  const policy = signingKeyPolicy(app.config.tokens.signingKeyRotationMs);
  assert.equal((await currentSigningKey(app.kv, policy)).kid, stored?.kid);
});

Deno.test("the local identity advertises RFC 8414 metadata for the built-in server", async () => {
  using app = await createTestApp();
  const metadata = await app.deps.identity.authorizationServerMetadata(TEST_ORIGIN);
  assert.deepEqual(metadata, {
    issuer: TEST_ORIGIN,
    authorization_endpoint: `${TEST_ORIGIN}/oauth/authorize`,
    token_endpoint: `${TEST_ORIGIN}/oauth/token`,
    registration_endpoint: `${TEST_ORIGIN}/oauth/register`,
    jwks_uri: `${TEST_ORIGIN}/oauth/jwks.json`,
    scopes_supported: ["read:todos", "write:todos"],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["none"],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: true,
  });
});

Deno.test("each credential works only as itself: session, access token, refresh token, code", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const { verifier, challenge } = await pkcePair();
  const { code, cookie } = await authorizeCode(app, clientId, challenge);
  const { access_token, refresh_token } = await exchangeCode(app, clientId, code, verifier);
  const session = cookie.slice(cookie.indexOf("=") + 1);
  const mcp = (token: string) => mcpPing(app.request, token);
  assert.equal((await mcp(access_token)).status, 200, "the access token is a bearer token");
  for (const [name, token] of [["session", session], ["refresh token", refresh_token]]) {
    const response = await mcp(token);
    assert.equal(response.status, 401, name);
    assert.match(response.headers.get("WWW-Authenticate")!, /invalid_token/, name);
    await response.body?.cancel();
  }
  const asSession = await app.request("/api/todos", {
    headers: { Cookie: `todo_session=${access_token}`, Authorization: `Bearer ${access_token}` },
  });
  assert.equal(asSession.status, 401, "an access token is no session, as cookie or bearer");
  await asSession.body?.cancel();
  for (
    const [grant, params] of [
      ["refresh_token", { refresh_token: access_token }],
      ["refresh_token", { refresh_token: session }],
      ["authorization_code", { code: refresh_token, code_verifier: verifier }],
      ["authorization_code", { code: session, code_verifier: verifier }],
    ] as const
  ) {
    const response = await tokenRequest(app, {
      grant_type: grant,
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      ...params,
    });
    assert.equal(response.status, 400, `${grant} ${Object.keys(params)[0]}`);
    assert.equal((await response.json()).error, "invalid_grant");
  }
});

Deno.test("a token from an issuer whose clock is 4 minutes ahead verifies (nbf allows the skew)", async () => {
  using app = await createTestApp();
  const { claims } = await realToken(app);
  const ahead = Date.now() + 4 * 60_000;
  const skewed = await issueAccessToken(app.kv, {
    issuer: claims.iss!,
    userId: claims.sub!,
    clientId: claims.client_id as string,
    scopes: ["read:todos"],
    resource: RESOURCE,
    grantId: claims.grant_id as string,
  }, { keyRotationMs: app.config.tokens.signingKeyRotationMs, now: ahead });
  assert.ok(decodeJwt(skewed).iat! > Date.now() / 1000 + 180, "issued in this clock's future");
  assert.equal((await verifyForMcp(app, skewed)).userId, claims.sub);
});
