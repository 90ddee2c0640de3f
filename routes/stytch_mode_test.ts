import assert from "node:assert/strict";
import type { TestIssuer } from "../lib/testing/issuer.ts";
import { createTestApp } from "../lib/testing/app.ts";
import {
  cookieOf,
  sessionClaims,
  TEST_PUBLIC_TOKEN,
  TEST_SECRET,
  withStytchApp,
} from "../lib/testing/stytch_mode.ts";
import { STYTCH_SESSION_COOKIE } from "../lib/auth/stytch.ts";

const ORIGIN = "http://localhost:8000";

async function sessionCookie(issuer: TestIssuer): Promise<string> {
  return `${STYTCH_SESSION_COOKIE}=${await issuer.sign(sessionClaims(issuer))}`;
}

/** The props of the island `name` rendered into `html`. */
function islandProps(html: string, name: string): Record<string, unknown> {
  const key = html.match(new RegExp(`data-island="${name}" data-key="(\\d+)"`))?.[1];
  assert.ok(key, `island ${name} not on the page`);
  const json = html.match(/<script type="application\/json" id="__pages_islands">(.*?)<\/script>/s);
  return JSON.parse(json![1])[Number(key)];
}

Deno.test("/login in Stytch mode renders the login island with public values only", async () => {
  await withStytchApp(async (t, issuer) => {
    const res = await t.request("/login?returnTo=%2Ftodoapp%3Fa%3D1");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.deepEqual(islandProps(html, "StytchLogin"), {
      publicToken: TEST_PUBLIC_TOKEN,
      domain: issuer.origin,
      returnTo: "/todoapp?a=1",
    });
    assert.ok(!html.includes(TEST_SECRET));
    assert.ok(!html.includes('name="email"'), "no local sign-in form");
    const csp = res.headers.get("Content-Security-Policy")!;
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /connect-src 'self' https:\/\/127\.0\.0\.1;/);
    assert.match(csp, /style-src 'self' 'unsafe-inline';/);
  });
});

Deno.test("/login refuses an off-site returnTo", async () => {
  await withStytchApp(async (t) => {
    const html = await (await t.request("/login?returnTo=%2F%2Fevil.example%2F")).text();
    assert.equal(islandProps(html, "StytchLogin").returnTo, "/todoapp");
  });
});

Deno.test("/login with a valid Stytch session goes straight to returnTo", async () => {
  await withStytchApp(async (t, issuer) => {
    const res = await t.request("/login?returnTo=%2Ftodoapp", {
      headers: { Cookie: await sessionCookie(issuer) },
    });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("Location"), "/todoapp");
  });
});

Deno.test("/todoapp without a valid Stytch session redirects to /login", async () => {
  await withStytchApp(async (t, issuer) => {
    const expired = await issuer.sign(sessionClaims(issuer), { expiresIn: -120 });
    for (const cookie of ["", `${STYTCH_SESSION_COOKIE}=${expired}`]) {
      const res = await t.request("/todoapp", { headers: { Cookie: cookie } });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get("Location"), "/login?returnTo=%2Ftodoapp");
    }
  });
});

Deno.test("/todoapp with a Stytch session carries no Stytch island", async () => {
  await withStytchApp(async (t, issuer) => {
    const res = await t.request("/todoapp", { headers: { Cookie: await sessionCookie(issuer) } });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /data-island="TodoList"/);
    assert.doesNotMatch(html, /Stytch|public-token/);
    assert.doesNotMatch(res.headers.get("Content-Security-Policy")!, /127\.0\.0\.1|unsafe-inline/);
  });
});

Deno.test("/authenticate renders the OAuth completion island in Stytch mode only", async () => {
  await withStytchApp(async (t, issuer) => {
    const res = await t.request("/authenticate?stytch_token_type=oauth&token=abc");
    assert.equal(res.status, 200);
    assert.deepEqual(islandProps(await res.text(), "StytchAuthenticate"), {
      publicToken: TEST_PUBLIC_TOKEN,
      domain: issuer.origin,
    });
  });
  using local = await createTestApp();
  const res = await local.request("/authenticate", { headers: { Accept: "text/html" } });
  assert.equal(res.status, 404);
  await res.body?.cancel();
});

Deno.test("/oauth/authorize sends a visitor to /login with the whole query", async () => {
  await withStytchApp(async (t) => {
    const query = "?response_type=code&client_id=c1&redirect_uri=https%3A%2F%2Fx.example%2Fcb" +
      "&scope=openid%20read%3Atodos&state=s%26t&code_challenge=abc&code_challenge_method=S256";
    const res = await t.request(`/oauth/authorize${query}`);
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get("Location")!, ORIGIN);
    assert.equal(location.pathname, "/login");
    assert.equal(location.searchParams.get("returnTo"), `/oauth/authorize${query}`);
  });
});

Deno.test("/oauth/authorize keeps a request too long for returnTo and restores it after sign-in", async () => {
  await withStytchApp(async (t, issuer) => {
    const query = "?response_type=code&client_id=c1&redirect_uri=https%3A%2F%2Fx.example%2Fcb" +
      `&state=${"s".repeat(3000)}&code_challenge=abc&code_challenge_method=S256`;
    const res = await t.request(`/oauth/authorize${query}`);
    assert.equal(res.status, 302);
    const returnTo = new URL(res.headers.get("Location")!, ORIGIN).searchParams.get("returnTo")!;
    assert.match(returnTo, /^\/oauth\/authorize\?parked_request=[\w-]+$/);
    assert.ok(returnTo.length < 200);

    const cookie = await sessionCookie(issuer);
    const resumed = await t.request(returnTo, { headers: { Cookie: cookie } });
    assert.equal(resumed.status, 302);
    const restored = new URL(resumed.headers.get("Location")!, ORIGIN);
    assert.equal(restored.pathname, "/oauth/authorize");
    assert.deepEqual([...restored.searchParams], [...new URLSearchParams(query)]);

    const unknown = await t.request("/oauth/authorize?parked_request=" + "A".repeat(43), {
      headers: { Cookie: cookie, Accept: "text/html" },
    });
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /expired or is not valid/);
  });
});

Deno.test("/oauth/authorize shows Stytch's consent island to a signed-in person", async () => {
  await withStytchApp(async (t, issuer) => {
    const res = await t.request("/oauth/authorize?client_id=c1", {
      headers: { Cookie: await sessionCookie(issuer) },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(islandProps(await res.text(), "StytchConsent"), {
      publicToken: TEST_PUBLIC_TOKEN,
      domain: issuer.origin,
    });
    assert.match(res.headers.get("Content-Security-Policy")!, /frame-ancestors 'none'/);
    const post = await t.request("/oauth/authorize", {
      method: "POST",
      headers: { Cookie: await sessionCookie(issuer), Origin: ORIGIN, Accept: "text/html" },
    });
    assert.equal(post.status, 404);
    await post.body?.cancel();
  });
});

Deno.test("POST /logout revokes the session at Stytch, clears both cookies and 303s to /login?signedOut=1", async () => {
  await withStytchApp(async (t, issuer) => {
    const session = await issuer.api.startSession();
    const res = await t.request("/logout", {
      method: "POST",
      headers: { Cookie: cookieOf(session), Origin: ORIGIN },
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("Location"), "/login?signedOut=1");
    assert.deepEqual(res.headers.getSetCookie(), [
      "stytch_session=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax",
      "stytch_session_jwt=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax",
    ]);
    assert.equal(issuer.api.calls.revoke, 1);
    assert.equal(issuer.api.isLive(session.sessionId), false);

    // The old session token renews nothing afterwards.
    const expired = await issuer.sign(sessionClaims(issuer), { expiresIn: -1 });
    const after = await t.request("/api/todos", {
      headers: { Cookie: cookieOf(session, expired) },
    });
    assert.equal(after.status, 401);
    await after.body?.cancel();
    assert.equal(
      issuer.api.calls.authenticate,
      1,
      "Stytch was asked, and said the session is gone",
    );

    const crossSite = await t.request("/logout", {
      method: "POST",
      headers: { Cookie: cookieOf(session), Origin: "https://evil.example", Accept: "text/html" },
    });
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.headers.get("Set-Cookie"), null);
    await crossSite.body?.cancel();

    const get = await t.request("/logout", { headers: { Cookie: cookieOf(session) } });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("Set-Cookie"), null);
    await get.body?.cancel();
  });
});

Deno.test("while Stytch's keys cannot be fetched, /login and /logout still work; /todoapp is 503", async () => {
  await withStytchApp(async (t, issuer) => {
    const cookie = await sessionCookie(issuer);
    issuer.setMode("down");
    const html = { Cookie: cookie, Accept: "text/html" };

    const login = await t.request("/login?returnTo=%2Ftodoapp", { headers: html });
    assert.equal(login.status, 200);
    islandProps(await login.text(), "StytchLogin");

    // Sign-out while Stytch's API is unreachable too: the cookies are cleared all the same.
    await issuer.api.setMode("refused");
    const logout = await t.request("/logout", {
      method: "POST",
      headers: { ...html, Origin: ORIGIN },
    });
    assert.equal(logout.status, 303);
    assert.equal(logout.headers.get("Location"), "/login?signedOut=1");
    assert.match(logout.headers.get("Set-Cookie") ?? "", new RegExp(`${STYTCH_SESSION_COOKIE}=;`));
    await logout.body?.cancel();

    const authenticate = await t.request("/authenticate", { headers: html });
    assert.equal(authenticate.status, 200);
    await authenticate.body?.cancel();

    // A page that guards data does not guess: it says Stytch is unavailable.
    const todoapp = await t.request("/todoapp", { headers: html });
    assert.equal(todoapp.status, 503);
    assert.ok(Number(todoapp.headers.get("Retry-After")) > 0);
    assert.match(await todoapp.text(), /Sign-in is briefly unavailable/);
  });
});
