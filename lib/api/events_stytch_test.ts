/**
 * The events stream across Stytch session JWT expiries (lifetimes shortened to seconds): it ends
 * at the JWT's `exp` asking for a quick reconnect, and the reconnect, carrying the cookies, is
 * renewed on the server and gets the new cookies. Needs `DENO_CERT` (see lib/testing/stytch_api.ts).
 */
import assert from "node:assert/strict";
import { cookieOf, setCookiesOf, TEST_USER_ID, withStytchApp } from "../testing/stytch_mode.ts";
import type { TestApp } from "../testing/app.ts";
import { createTodo } from "../todos/mod.ts";
import { RENEW_RECONNECT_MS } from "./events.ts";

/** Opens the stream and reads it until the server ends it (at most `ms`): status, cookies, text. */
async function readStream(t: TestApp, cookie: string, ms = 8000) {
  const abort = new AbortController();
  const res = await t.request("/api/todos/events", {
    headers: { Cookie: cookie, Accept: "text/event-stream" },
    signal: abort.signal,
  });
  if (res.status !== 200) return { res, text: await res.text() };
  const timer = setTimeout(() => abort.abort(), ms);
  let text = "";
  try {
    for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) text += chunk;
  } catch {
    // aborted: the stream did not end by itself within `ms`
  } finally {
    clearTimeout(timer);
  }
  return { res, text, endedByServer: !abort.signal.aborted };
}

Deno.test("the stream ends at the JWT's exp with a quick retry, and the reconnect is renewed with new cookies", async () => {
  await withStytchApp(async (t, issuer) => {
    issuer.api.jwtLifetimeSeconds = 2; // `exp` is in whole seconds: at least 1 s is left
    const session = await issuer.api.startSession({ jwtExpiresIn: 2 });
    await createTodo(t.kv, TEST_USER_ID, "Seen before the expiry");
    const first = await readStream(t, cookieOf(session));
    assert.equal(first.res.status, 200);
    assert.ok(first.endedByServer, "the server ended the stream at the JWT's exp");
    assert.match(first.text, /event: todos\n.*Seen before the expiry/);
    assert.match(
      first.text,
      new RegExp(
        `retry: ${RENEW_RECONNECT_MS}\nevent: session-ended\ndata: \\{"reason":"expired"\\}\n\n$`,
      ),
    );
    assert.equal(issuer.api.calls.authenticate, 0, "a fresh JWT needs no call");

    // The browser reconnects with the same (now expired) cookies. (`exp` is in whole seconds:
    // a 2 s lifetime leaves at least 1 s.)
    const second = await readStream(t, cookieOf(session));
    assert.equal(second.res.status, 200);
    assert.equal(issuer.api.calls.authenticate, 1);
    const renewed = setCookiesOf(second.res).values.get("stytch_session_jwt");
    assert.ok(renewed && renewed !== session.sessionJwt, "the stream's answer sets the new JWT");
    assert.match(second.text, /event: todos\n.*Seen before the expiry/);
    assert.match(second.text, /event: session-ended\ndata: \{"reason":"expired"\}\n\n$/);
    assert.equal(issuer.api.calls.authenticate, 1, "heartbeat checks use the renewed JWT");

    // The next reconnect carries the renewed cookies, as the browser would.
    const third = await readStream(t, cookieOf(session, renewed));
    assert.equal(third.res.status, 200);
    assert.equal(issuer.api.calls.authenticate, 2);
  });
});

Deno.test("after the session ended at Stytch, the reconnect gets 401 JSON and the cookies are cleared", async () => {
  await withStytchApp(async (t, issuer) => {
    const session = await issuer.api.startSession({ jwtExpiresIn: 2 });
    const first = await readStream(t, cookieOf(session));
    assert.match(first.text, /"reason":"expired"/);
    issuer.api.revokeSession(session.sessionId);
    const again = await readStream(t, cookieOf(session));
    assert.equal(again.res.status, 401);
    assert.equal(JSON.parse(again.text).error.code, "unauthorized");
    assert.deepEqual([...setCookiesOf(again.res).values.values()], ["", ""]);
  });
});

Deno.test("Stytch down at the reconnect: 503 JSON with Retry-After, not signed out", async () => {
  await withStytchApp(async (t, issuer) => {
    const session = await issuer.api.startSession({ jwtExpiresIn: -1 });
    await issuer.api.setMode("down");
    const res = await readStream(t, cookieOf(session));
    assert.equal(res.res.status, 503);
    assert.ok(Number(res.res.headers.get("Retry-After")) > 0);
    assert.equal(JSON.parse(res.text).error.code, "service_unavailable");
    assert.deepEqual(res.res.headers.getSetCookie(), []);
  });
});
