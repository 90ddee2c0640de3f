/**
 * Server-side renewal of Stytch sessions, through the real app, the real `stytch` SDK and the
 * HTTPS sessions API stand-in (run with `DENO_CERT=lib/testing/tls/ca.pem`, as `deno task test`
 * does): a fresh JWT costs no call, an expired one exactly one, and the request goes on.
 */
import assert from "node:assert/strict";
import { startTestIssuer } from "../testing/issuer.ts";
import { createTestApp, TEST_ORIGIN } from "../testing/app.ts";
import {
  cookieOf,
  setCookiesOf,
  stytchEnv,
  TEST_USER_ID,
  withStytchApp as withStytch,
} from "../testing/stytch_mode.ts";
import { listTodos } from "../todos/mod.ts";
import { SESSION_DURATION_MINUTES } from "./stytch_duration.ts";

const JSON_WRITE = { "Content-Type": "application/json", Origin: TEST_ORIGIN };

Deno.test("a fresh session JWT is verified locally: 100 requests, no call to Stytch", async () => {
  await withStytch(async (t, issuer) => {
    const session = await issuer.api.startSession();
    for (let i = 0; i < 100; i++) {
      const res = await t.request("/api/todos", { headers: { Cookie: cookieOf(session) } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.headers.getSetCookie(), []);
      await res.body?.cancel();
    }
    assert.equal(issuer.api.calls.authenticate, 0);
  });
});

Deno.test("an expired JWT is renewed by one call; the request goes on and sets both cookies as the SDK does", async () => {
  await withStytch(async (t, issuer) => {
    const session = await issuer.api.startSession({ jwtExpiresIn: -1, durationMinutes: 10 });
    const res = await t.request("/api/todos", {
      method: "POST",
      headers: { ...JSON_WRITE, Cookie: cookieOf(session) },
      body: JSON.stringify({ todoText: "Written after the JWT expired" }),
    });
    assert.equal(res.status, 201);
    await res.body?.cancel();
    assert.equal(issuer.api.calls.authenticate, 1);
    assert.equal(issuer.api.lastDurationMinutes, SESSION_DURATION_MINUTES);
    assert.deepEqual((await listTodos(t.kv, TEST_USER_ID)).map((todo) => todo.text), [
      "Written after the JWT expired",
    ]);

    const { values, lines } = setCookiesOf(res);
    assert.equal(values.get("stytch_session"), session.sessionToken);
    const renewed = values.get("stytch_session_jwt")!;
    assert.notEqual(renewed, session.sessionJwt);
    for (const line of lines) {
      assert.match(line, /; Path=\/; Expires=[^;]+ GMT; SameSite=Lax$/, line);
      assert.doesNotMatch(line, /HttpOnly|Domain|Secure/i, "http://localhost: not Secure");
      const expires = Date.parse(line.match(/Expires=([^;]+)/)![1]);
      const slid = Date.now() + SESSION_DURATION_MINUTES * 60_000;
      assert.ok(Math.abs(expires - slid) < 5000, "the session slid to 60 minutes from now");
    }

    // The browser now sends the renewed JWT: verified locally, no further call.
    const next = await t.request("/api/todos", {
      headers: { Cookie: cookieOf(session, renewed) },
    });
    assert.equal(next.status, 200);
    await next.body?.cancel();
    assert.equal(issuer.api.calls.authenticate, 1);
  });
});

Deno.test("over https the renewed cookies are Secure", async () => {
  await withStytch(async (t, issuer) => {
    const session = await issuer.api.startSession({ jwtExpiresIn: -1 });
    const res = await t.app.fetch(
      new Request("https://localhost:8000/api/todos", { headers: { Cookie: cookieOf(session) } }),
    );
    assert.equal(res.status, 200);
    await res.body?.cancel();
    for (const line of res.headers.getSetCookie()) assert.match(line, /; Secure; SameSite=Lax$/);
  });
});

Deno.test("10 concurrent requests with one expired JWT cause one call to Stytch", async () => {
  await withStytch(async (t, issuer) => {
    const session = await issuer.api.startSession({ jwtExpiresIn: -1 });
    const answers = await Promise.all(
      Array.from(
        { length: 10 },
        () => t.request("/api/todos", { headers: { Cookie: cookieOf(session) } }),
      ),
    );
    for (const res of answers) {
      assert.equal(res.status, 200);
      assert.equal(setCookiesOf(res).values.get("stytch_session"), session.sessionToken);
      await res.body?.cancel();
    }
    assert.equal(issuer.api.calls.authenticate, 1);
  });
});

Deno.test("only the opaque session token (no JWT cookie) is renewed too", async () => {
  await withStytch(async (t, issuer) => {
    const session = await issuer.api.startSession();
    const res = await t.request("/api/todos", {
      headers: { Cookie: `stytch_session=${session.sessionToken}` },
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.ok(setCookiesOf(res).values.get("stytch_session_jwt"));
    assert.equal(issuer.api.calls.authenticate, 1);
  });
});

Deno.test("an expired JWT alone (no opaque cookie) is sent to Stytch and renewed", async () => {
  await withStytch(async (t, issuer) => {
    const session = await issuer.api.startSession({ jwtExpiresIn: -120 });
    const res = await t.request("/api/todos", {
      headers: { Cookie: `stytch_session_jwt=${session.sessionJwt}` },
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(setCookiesOf(res).values.get("stytch_session"), session.sessionToken);
  });
});

Deno.test("a session revoked at Stytch: page to /login with the path and query, API 401 JSON, cookies cleared", async () => {
  await withStytch(async (t, issuer) => {
    const session = await issuer.api.startSession({ jwtExpiresIn: -1 });
    issuer.api.revokeSession(session.sessionId);
    const page = await t.request("/todoapp?filter=active", {
      headers: { Cookie: cookieOf(session), Accept: "text/html" },
    });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get("Location"), "/login?returnTo=%2Ftodoapp%3Ffilter%3Dactive");
    assert.deepEqual([...setCookiesOf(page).values.values()], ["", ""]);
    await page.body?.cancel();

    const api = await t.request("/api/todos", {
      method: "POST",
      headers: { ...JSON_WRITE, Cookie: cookieOf(session) },
      body: JSON.stringify({ todoText: "never stored" }),
    });
    assert.equal(api.status, 401);
    assert.equal((await api.json()).error.code, "unauthorized");
    assert.deepEqual(await listTodos(t.kv, TEST_USER_ID), []);
  });
});

for (const mode of ["down", "hang", "refused"] as const) {
  Deno.test(`Stytch ${mode} while a renewal is needed: 503 with Retry-After on page, API and stream, never 401 or 500`, async () => {
    const issuer = await startTestIssuer();
    try {
      using t = await createTestApp({ env: stytchEnv(issuer) });
      const session = await issuer.api.startSession({ jwtExpiresIn: -1 });
      await issuer.api.setMode(mode);
      const cookie = cookieOf(session);
      const page = await t.request("/todoapp?filter=active", {
        headers: { Cookie: cookie, Accept: "text/html" },
      });
      assert.equal(page.status, 503);
      assert.ok(Number(page.headers.get("Retry-After")) > 0);
      const html = await page.text();
      assert.match(html, /<h1>Sign-in is briefly unavailable<\/h1>/);
      assert.match(html, /Your todos are safe/);
      assert.match(html, /href="\/todoapp\?filter=active">Try again/);
      assert.doesNotMatch(html, /signing keys|fetch/i);
      for (const path of ["/api/todos", "/api/todos/events"]) {
        const res = await t.request(path, { headers: { Cookie: cookie } });
        assert.equal(res.status, 503, path);
        assert.ok(Number(res.headers.get("Retry-After")) > 0, path);
        assert.equal((await res.json()).error.code, "service_unavailable", path);
      }
      assert.equal(issuer.api.isLive(session.sessionId), true, "nothing was signed out");
    } finally {
      await issuer.close();
    }
  });
}

Deno.test("a session cookie that is not shaped like a Stytch token costs no call", async () => {
  await withStytch(async (t, issuer) => {
    for (const junk of ["x", "a b", "%00".repeat(30), "A".repeat(300)]) {
      const res = await t.request("/api/todos", { headers: { Cookie: `stytch_session=${junk}` } });
      assert.equal(res.status, 401);
      await res.body?.cancel();
    }
    assert.equal(issuer.api.calls.authenticate, 0);
  });
});
