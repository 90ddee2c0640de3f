import assert from "node:assert/strict";
import { createTestApp, sessionUser, TEST_ORIGIN } from "../testing/app.ts";
import { listConsents } from "./store/consents.ts";
import {
  authorizeCode,
  authorizePath,
  csrfTokenOf,
  pkcePair,
  postConsent,
  REDIRECT_URI,
  registerClient,
} from "../testing/oauth.ts";

/** Counts every KV entry, to show a refused request stored nothing. */
async function countEntries(kv: Deno.Kv): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: [] })) n++;
  return n;
}

Deno.test("authorize shows an error page, never a redirect, for an unknown client_id", async () => {
  using app = await createTestApp();
  const { challenge } = await pkcePair();
  // Signed in, and a visitor who is not (no detour through the sign-in page either).
  const signedIn: Record<string, string> = { Cookie: await app.signIn("ada@example.com") };
  for (const headers of [signedIn, {}]) {
    const response = await app.request(
      authorizePath("mcp-client-00000000-0000-0000-0000-000000000000", challenge),
      { headers },
    );
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("Location"), null);
    assert.match(await response.text(), /not registered here/);
  }
});

Deno.test("authorize shows an error page for a redirect_uri the client did not register", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const { challenge } = await pkcePair();
  for (
    const redirect of [
      "https://evil.example/callback",
      "http://127.0.0.1:1/other",
      "http://localhost:33418/callback",
    ]
  ) {
    const response = await app.request(
      authorizePath(clientId, challenge, { redirect_uri: redirect }),
    );
    assert.equal(response.status, 400, redirect);
    assert.equal(response.headers.get("Location"), null);
    assert.match(await response.text(), /redirect_uri is not one this app registered/);
  }
});

Deno.test("authorize lets only the port of a loopback redirect_uri vary", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const { challenge } = await pkcePair();
  const response = await app.request(
    authorizePath(clientId, challenge, { redirect_uri: "http://127.0.0.1:5555/callback" }),
  );
  assert.equal(response.status, 302);
  assert.match(response.headers.get("Location")!, /^\/login\?returnTo=/);
  await response.body?.cancel();
});

Deno.test("authorize redirects bad PKCE, response_type, scope and resource back with an error", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const { challenge } = await pkcePair();
  const cookie = await app.signIn("ada@example.com");
  const cases: [Record<string, string | null>, string][] = [
    [{ code_challenge: null }, "invalid_request"],
    [{ code_challenge_method: "plain" }, "invalid_request"],
    [{ code_challenge_method: null }, "invalid_request"],
    [{ response_type: "token" }, "unsupported_response_type"],
    [{ scope: "admin:everything" }, "invalid_scope"],
    [{ resource: "https://other.example/mcp" }, "invalid_target"],
    [{ extra: "&code_challenge_method=plain" }, "invalid_request"],
    [{ extra: "&state=other" }, "invalid_request"],
    [{ extra: "&prompt=consent&prompt=none" }, "invalid_request"],
  ];
  const before = await countEntries(app.kv);
  for (const [{ extra, ...overrides }, error] of cases) {
    const path = authorizePath(clientId, challenge, overrides) + (extra ?? "");
    const response = await app.request(path, { headers: { Cookie: cookie } });
    assert.equal(response.status, 302, path);
    const location = new URL(response.headers.get("Location")!);
    assert.equal(location.origin + location.pathname, REDIRECT_URI);
    assert.equal(location.searchParams.get("error"), error, path);
    assert.equal(location.searchParams.get("state"), "state-123");
    assert.equal(location.searchParams.get("iss"), TEST_ORIGIN);
  }
  assert.equal(await countEntries(app.kv), before);
});

Deno.test("authorize sends a signed-out person to /login with the full authorize URL to return to", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const { challenge } = await pkcePair();
  const path = authorizePath(clientId, challenge);
  const response = await app.request(path);
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get("Location")!, TEST_ORIGIN);
  assert.equal(location.pathname, "/login");
  assert.equal(location.searchParams.get("returnTo"), path);
  await response.body?.cancel();
});

Deno.test("consent page escapes the client name, shows the redirect host and cannot be framed", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app, { client_name: '<img src=x onerror="alert(1)">' });
  const { challenge } = await pkcePair();
  const cookie = await app.signIn("ada@example.com");
  const response = await app.request(authorizePath(clientId, challenge), {
    headers: { Cookie: cookie },
  });
  assert.equal(response.status, 200);
  const html = await response.text();
  assert.ok(!html.includes("<img src=x"), "client name is escaped");
  assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;(&gt;|>)/);
  assert.match(html, /127\.0\.0\.1:33418/);
  assert.match(html, /name="decision" value="allow"/);
  assert.match(html, /name="decision" value="deny"/);
  const csp = response.headers.get("Content-Security-Policy") ?? "";
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /form-action 'self' http:\/\/127\.0\.0\.1:33418/);
  assert.equal(response.headers.get("X-Frame-Options"), "DENY");
  assert.equal(response.headers.get("Cache-Control"), "no-store");
});

Deno.test("Allow redirects with code, state and iss; Deny with access_denied", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const { challenge } = await pkcePair();
  const cookie = await app.signIn("ada@example.com");

  const page = await app.request(authorizePath(clientId, challenge), {
    headers: { Cookie: cookie },
  });
  const allowed = await postConsent(app, cookie, csrfTokenOf(await page.text()), "allow");
  assert.equal(allowed.status, 303);
  const location = new URL(allowed.headers.get("Location")!);
  assert.equal(location.origin + location.pathname, REDIRECT_URI);
  assert.match(location.searchParams.get("code")!, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(location.searchParams.get("state"), "state-123");
  assert.equal(location.searchParams.get("iss"), TEST_ORIGIN);

  const second = await app.request(authorizePath(clientId, challenge, { prompt: "consent" }), {
    headers: { Cookie: cookie },
  });
  const denied = await postConsent(app, cookie, csrfTokenOf(await second.text()), "deny");
  assert.equal(denied.status, 303);
  const deniedAt = new URL(denied.headers.get("Location")!);
  assert.equal(deniedAt.searchParams.get("error"), "access_denied");
  assert.equal(deniedAt.searchParams.get("code"), null);
  assert.equal(deniedAt.searchParams.get("state"), "state-123");
});

Deno.test("the consent form refuses a wrong, reused or other user's CSRF token", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const { challenge } = await pkcePair();
  const ada = await app.signIn("ada@example.com");
  const bob = await app.signIn("bob@example.com");
  const page = await app.request(authorizePath(clientId, challenge), { headers: { Cookie: ada } });
  const token = csrfTokenOf(await page.text());

  const forged = await postConsent(app, ada, "A".repeat(43), "allow");
  assert.equal(forged.status, 400);
  assert.match(await forged.text(), /expired or was already used/);

  const otherUser = await postConsent(app, bob, token, "allow");
  assert.equal(otherUser.status, 400);
  await otherUser.body?.cancel();

  const crossSite = await app.request("/oauth/authorize", {
    method: "POST",
    headers: {
      Cookie: ada,
      Origin: "https://evil.example",
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ csrf_token: token, decision: "allow" }),
  });
  assert.equal(crossSite.status, 403);
  await crossSite.body?.cancel();

  const first = await postConsent(app, ada, token, "allow");
  assert.equal(first.status, 303);
  const replay = await postConsent(app, ada, token, "allow");
  assert.equal(replay.status, 400);
  await replay.body?.cancel();
  assert.equal(replay.headers.get("Location"), null);
});

Deno.test("consent is remembered per user and client, and re-asked for new scopes", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const { challenge } = await pkcePair();
  const readOnly = { scope: "read:todos" };
  const cookie = await app.signIn("ada@example.com");
  const page = await app.request(authorizePath(clientId, challenge, readOnly), {
    headers: { Cookie: cookie },
  });
  await postConsent(app, cookie, csrfTokenOf(await page.text()), "allow");

  const again = await app.request(authorizePath(clientId, challenge, readOnly), {
    headers: { Cookie: cookie },
  });
  assert.equal(again.status, 302);
  assert.ok(new URL(again.headers.get("Location")!).searchParams.get("code"));

  const wider = await app.request(authorizePath(clientId, challenge), {
    headers: { Cookie: cookie },
  });
  assert.equal(wider.status, 200, "asking for write too shows the page again");
  await wider.body?.cancel();

  const bob = await app.signIn("bob@example.com");
  const otherUser = await app.request(authorizePath(clientId, challenge, readOnly), {
    headers: { Cookie: bob },
  });
  assert.equal(otherUser.status, 200, "another user is asked");
  await otherUser.body?.cancel();
});

Deno.test("/connections lists approved apps and revoking one forgets the consent", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app, { client_name: "Claude <Test>" });
  const { challenge } = await pkcePair();
  const { cookie } = await authorizeCode(app, clientId, challenge);

  const list = await app.request("/connections", { headers: { Cookie: cookie } });
  assert.equal(list.status, 200);
  const html = await list.text();
  assert.match(html, /Claude &lt;Test(&gt;|>)/);
  assert.match(html, /127\.0\.0\.1:33418/);
  const echoed = await app.request("/connections?revoked=%3Cb%3ECall%20555%3C%2Fb%3E", {
    headers: { Cookie: cookie },
  });
  assert.ok(!(await echoed.text()).includes("Call 555"), "nothing from the URL is shown");

  const revoke = await app.request("/connections", {
    method: "POST",
    headers: {
      Cookie: cookie,
      Origin: TEST_ORIGIN,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ client_id: clientId }),
  });
  assert.equal(revoke.status, 303);
  assert.match(revoke.headers.get("Location")!, /^\/connections\?revoked=1&undo=[\w-]{43}$/);
  await revoke.body?.cancel();
  const after = await app.request("/connections?revoked=1", { headers: { Cookie: cookie } });
  assert.match(await after.text(), /Access revoked/);
  const user = (await sessionUser(
    app.deps.identity,
    new Request(TEST_ORIGIN, { headers: { Cookie: cookie } }),
  ))!;
  assert.deepEqual(await listConsents(app.kv, user.id), []);

  const unknown = await app.request("/connections", {
    method: "POST",
    headers: {
      Cookie: cookie,
      Origin: TEST_ORIGIN,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ client_id: clientId }),
  });
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
});

Deno.test("/connections sends a signed-out person to sign in", async () => {
  using app = await createTestApp();
  const response = await app.request("/connections");
  assert.equal(response.status, 302);
  assert.equal(response.headers.get("Location"), "/login?returnTo=%2Fconnections");
  await response.body?.cancel();
});

Deno.test("prompt=none never shows a page: login_required or consent_required instead", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const { challenge } = await pkcePair();
  const silent = authorizePath(clientId, challenge, { prompt: "none" });
  const signedOut = await app.request(silent);
  assert.equal(
    new URL(signedOut.headers.get("Location")!).searchParams.get("error"),
    "login_required",
  );
  const cookie = await app.signIn("ada@example.com");
  const notYet = await app.request(silent, { headers: { Cookie: cookie } });
  assert.equal(
    new URL(notYet.headers.get("Location")!).searchParams.get("error"),
    "consent_required",
  );
  await authorizeCode(app, clientId, challenge);
  const remembered = await app.request(silent, { headers: { Cookie: cookie } });
  assert.ok(new URL(remembered.headers.get("Location")!).searchParams.get("code"));
});

Deno.test("consent forms are bounded per user (20 a minute) and per address (60 a minute)", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const { challenge } = await pkcePair();
  const pending = async () => {
    let n = 0;
    for await (const _ of app.kv.list({ prefix: ["oauth_pending"] })) n++;
    return n;
  };
  const open = (cookie: string) =>
    app.request(authorizePath(clientId, challenge), { headers: { Cookie: cookie } });
  const now = Date.now();
  // Stay in one minute's window, so the counts are exactly the limits.
  if (now % 60_000 > 50_000) await new Promise((r) => setTimeout(r, 60_000 - (now % 60_000) + 50));

  const statuses = async (cookie: string, n: number) => {
    const seen: number[] = [];
    for (let i = 0; i < n; i++) {
      const response = await open(cookie);
      await response.body?.cancel();
      seen.push(response.status);
    }
    return seen;
  };
  const ada = await statuses(await app.signIn("ada@example.com"), 25);
  assert.deepEqual(ada, [...Array(20).fill(200), ...Array(5).fill(429)]);
  assert.equal(await pending(), 20);
  const refused = await open(await app.signIn("ada@example.com"));
  assert.equal(refused.status, 429);
  assert.match(await refused.text(), /Too many consent forms from your account/);

  // Other users at the same address share its 60 a minute.
  for (const email of ["bob@example.com", "cy@example.com"]) {
    assert.deepEqual(await statuses(await app.signIn(email), 20), Array(20).fill(200));
  }
  const last = await open(await app.signIn("dee@example.com"));
  assert.equal(last.status, 429);
  assert.match(await last.text(), /Too many consent forms from your address/);
  assert.equal(await pending(), 60);
});
