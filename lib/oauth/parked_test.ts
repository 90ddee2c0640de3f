/**
 * Authorize requests too long for `returnTo`, parked over sign-in; parking stores one for
 * anyone signed out, so it is rate limited.
 */
import assert from "node:assert/strict";
import { rateLimitRules } from "../http/rate_limit.ts";
import { createTestApp, TEST_ORIGIN, type TestApp } from "../testing/app.ts";
import { startTestIssuer } from "../testing/issuer.ts";
import { awayFromMinuteBoundary, requestFrom, storedExpiry } from "../testing/remote.ts";
import { continueTarget } from "../testing/sign_in.ts";
import { stytchEnv } from "../testing/stytch_mode.ts";
import {
  authorizeParams,
  loginUrlForAuthorize,
  PARKED_REQUEST_TTL_MS,
  ParkedRequestError,
} from "./parked.ts";
import {
  authorizePath,
  csrfTokenOf,
  pkcePair,
  postConsent,
  registerClient,
} from "../testing/oauth.ts";

const LIMITS = { rateLimits: { parkedRequestsPerMinute: 2 } };

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
  using app = await createTestApp({ tuning: LIMITS });
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
  using app = await createTestApp({ tuning: LIMITS });
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
    using app = await createTestApp({ env: stytchEnv(issuer), tuning: LIMITS });
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

Deno.test("an authorize URL too long for returnTo survives sign-in, parked server-side", async () => {
  using app = await createTestApp();
  const longRedirect = `http://127.0.0.1:33418/callback/${"r".repeat(1500)}`;
  const clientId = await registerClient(app, { redirect_uris: [longRedirect] });
  const { challenge } = await pkcePair();
  const state = "s".repeat(1500);
  const path = authorizePath(clientId, challenge, { redirect_uri: longRedirect, state });
  assert.ok(path.length > 2048, `the URL is ${path.length} characters`);

  const signedOut = await app.request(path);
  assert.equal(signedOut.status, 302);
  const login = new URL(signedOut.headers.get("Location")!, TEST_ORIGIN);
  assert.equal(login.pathname, "/login");
  const returnTo = login.searchParams.get("returnTo")!;
  assert.match(returnTo, /^\/oauth\/authorize\?parked_request=[\w-]{43}$/);

  // The sign-in form carries returnTo and sends the person back to it.
  const form = await app.request(`/login?returnTo=${encodeURIComponent(returnTo)}`);
  assert.equal(form.status, 200);
  assert.ok((await form.text()).includes(`value="${returnTo}"`), "the form keeps returnTo");
  const signIn = await app.request("/login", {
    method: "POST",
    headers: { Origin: TEST_ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: "ada@example.com", returnTo }),
    redirect: "manual",
  });
  assert.equal(await continueTarget(signIn), returnTo);
  const cookie = signIn.headers.getSetCookie()[0].split(";")[0];

  const page = await app.request(returnTo, { headers: { Cookie: cookie } });
  assert.equal(page.status, 200);
  const allowed = await postConsent(app, cookie, csrfTokenOf(await page.text()), "allow");
  assert.equal(allowed.status, 303);
  const back = new URL(allowed.headers.get("Location")!);
  assert.equal(back.origin + back.pathname, longRedirect);
  assert.equal(back.searchParams.get("state"), state);
  assert.ok(back.searchParams.get("code"));
});

Deno.test("a parked authorize request is refused when unknown, mixed with parameters or expired", async () => {
  using app = await createTestApp();
  const cookie = await app.signIn("ada@example.com");
  for (
    const query of [
      `parked_request=${"a".repeat(43)}`,
      "parked_request=short",
      `parked_request=${"a".repeat(43)}&client_id=x`,
    ]
  ) {
    const response = await app.request(`/oauth/authorize?${query}`, {
      headers: { Cookie: cookie },
    });
    assert.equal(response.status, 400, query);
    assert.match(await response.text(), /sign-in link has expired or is not valid/);
  }
  const url = new URL(`${TEST_ORIGIN}/oauth/authorize?state=${"s".repeat(3000)}`);
  const limit = { subject: "192.0.2.1", rules: rateLimitRules(app.config.rateLimits).parking };
  const login = new URL(await loginUrlForAuthorize(app.kv, url, limit), TEST_ORIGIN);
  const parked = new URL(login.searchParams.get("returnTo")!, TEST_ORIGIN);
  assert.equal((await authorizeParams(app.kv, parked)).get("state"), "s".repeat(3000));
  await assert.rejects(
    authorizeParams(app.kv, parked, Date.now() + PARKED_REQUEST_TTL_MS + 1000),
    ParkedRequestError,
  );
  const huge = new URL(`${TEST_ORIGIN}/oauth/authorize?state=${"s".repeat(40_000)}`);
  await assert.rejects(loginUrlForAuthorize(app.kv, huge, limit), ParkedRequestError);
});
