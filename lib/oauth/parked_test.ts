/** Parking an authorize request stores it for anyone signed out, so it is rate limited. */
import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "../testing/app.ts";
import { startTestIssuer } from "../testing/issuer.ts";
import { awayFromMinuteBoundary, requestFrom, storedExpiry } from "../testing/remote.ts";
import { stytchEnv } from "../testing/stytch.ts";
import { loginUrlForAuthorize, PARKED_REQUEST_TTL_MS } from "./parked.ts";
import { authorizePath, pkcePair, registerClient } from "./test_support.ts";

const LIMITS = { RATE_LIMIT_PARKED_REQUESTS_PER_MINUTE: "2" };

async function countParked(kv: Deno.Kv): Promise<number> {
  return (await Array.fromAsync(kv.list({ prefix: ["oauth_parked"] }))).length;
}

/** Asks for `path` signed out from `ip` (as a browser), returning status and `returnTo`. */
async function visit(app: TestApp, ip: string, path: string) {
  const response = await requestFrom(app, ip, path, { headers: { Accept: "text/html" } });
  const location = response.headers.get("Location");
  const body = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get("Retry-After"),
    body,
    returnTo: location ? new URL(location, "http://x").searchParams.get("returnTo") : null,
  };
}

Deno.test("parking long authorize requests answers a 429 page after the limit from one address, storing nothing, while another address parks", async () => {
  using app = await createTestApp({ env: LIMITS });
  const longRedirect = `http://127.0.0.1:33418/callback/${"r".repeat(1500)}`;
  const clientId = await registerClient(app, { redirect_uris: [longRedirect] });
  const { challenge } = await pkcePair();
  const long = authorizePath(clientId, challenge, {
    redirect_uri: longRedirect,
    state: "s".repeat(1500),
  });
  await awayFromMinuteBoundary();
  for (let n = 0; n < 2; n++) {
    const parked = await visit(app, "203.0.113.7", long);
    assert.equal(parked.status, 302);
    assert.match(parked.returnTo!, /parked_request=/);
  }
  const refused = await visit(app, "203.0.113.7", long);
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.retryAfter) >= 1 && Number(refused.retryAfter) <= 60);
  assert.match(refused.body, /Too many sign-in requests for long authorization links/);
  assert.equal(await countParked(app.kv), 2, "the refused request was not parked");

  const elsewhere = await visit(app, "198.51.100.20", long);
  assert.equal(elsewhere.status, 302);
  assert.equal(await countParked(app.kv), 3);
});

Deno.test("authorize requests short enough for returnTo are neither parked nor limited", async () => {
  using app = await createTestApp({ env: LIMITS });
  const clientId = await registerClient(app);
  const { challenge } = await pkcePair();
  for (let n = 0; n < 5; n++) {
    const short = await visit(app, "203.0.113.7", authorizePath(clientId, challenge));
    assert.equal(short.status, 302);
    assert.match(short.returnTo!, /^\/oauth\/authorize\?response_type=code/);
  }
  assert.equal(await countParked(app.kv), 0);
});

Deno.test("Stytch mode limits parking the same way", async () => {
  const issuer = await startTestIssuer();
  try {
    using app = await createTestApp({ env: { ...stytchEnv(issuer), ...LIMITS } });
    const long = `/oauth/authorize?client_id=c1&state=${"s".repeat(3000)}`;
    await awayFromMinuteBoundary();
    assert.equal((await visit(app, "203.0.113.7", long)).status, 302);
    assert.equal((await visit(app, "203.0.113.7", long)).status, 302);
    const refused = await visit(app, "203.0.113.7", long);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.retryAfter) >= 1);
    assert.equal(await countParked(app.kv), 2);
    assert.equal((await visit(app, "198.51.100.20", long)).status, 302);
  } finally {
    await issuer.close();
  }
});

Deno.test("a parked request is stored to expire ten minutes later", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite3`;
  try {
    const now = Date.now();
    {
      using kv = await Deno.openKv(path);
      const url = new URL(`http://localhost:8000/oauth/authorize?state=${"s".repeat(3000)}`);
      await loginUrlForAuthorize(kv, url, { subject: "192.0.2.1", rules: [] }, now);
    }
    const expiry = await storedExpiry(path, "oauth_parked");
    assert.ok(expiry !== null && expiry > 0, `expiry ${expiry}`);
    assert.equal(PARKED_REQUEST_TTL_MS, 10 * 60 * 1000);
    assert.ok(Math.abs(expiry - (now + PARKED_REQUEST_TTL_MS)) < 5_000, `${expiry - now}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
