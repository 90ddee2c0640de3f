/** The app with Stytch sign-in, through `app.fetch`: `/api` trusts only a valid session JWT. */
import assert from "node:assert/strict";
import { startTestIssuer } from "../testing/issuer.ts";
import { accessTokenClaims, sessionClaims, stytchEnv } from "../testing/stytch_mode.ts";
import { createTestApp } from "../testing/app.ts";
import { STYTCH_SESSION_COOKIE } from "./stytch.ts";

Deno.test("/api serves the Stytch session's user and refuses cross-site writes", async () => {
  const issuer = await startTestIssuer();
  try {
    using t = await createTestApp({ env: stytchEnv(issuer) });
    assert.ok(t.deps.identity.browserSignIn);
    const cookie = `${STYTCH_SESSION_COOKIE}=${await issuer.sign(sessionClaims(issuer))}`;

    const created = await t.request("/api/todos", {
      method: "POST",
      headers: {
        Cookie: cookie,
        "Content-Type": "application/json",
        Origin: "http://localhost:8000",
      },
      body: JSON.stringify({ todoText: "Write the README" }),
    });
    assert.equal(created.status, 201);
    const { todo } = await created.json();
    assert.equal(todo.text, "Write the README");

    const crossSite = await t.request("/api/todos", {
      method: "POST",
      headers: {
        Cookie: cookie,
        "Content-Type": "application/json",
        Origin: "https://evil.example",
      },
      body: JSON.stringify({ todoText: "pwned" }),
    });
    assert.equal(crossSite.status, 403);
    await crossSite.body?.cancel();

    const access = await issuer.sign(accessTokenClaims(issuer));
    const asSession = await t.request("/api/todos", {
      headers: { Cookie: `${STYTCH_SESSION_COOKIE}=${access}` },
    });
    assert.equal(asSession.status, 401);
    await asSession.body?.cancel();

    const listed = await t.request("/api/todos", { headers: { Cookie: cookie } });
    assert.equal((await listed.json()).todos.length, 1);

    issuer.setMode("down");
    await issuer.rotate({ dropOld: true });
    const unknownKid = await issuer.sign(sessionClaims(issuer), { kid: "not-yet-cached" });
    const down = await t.request("/api/todos", {
      headers: { Cookie: `${STYTCH_SESSION_COOKIE}=${unknownKid}` },
    });
    // The token is newer than the keys, so they are refetched; Stytch is down: 503, not 401.
    assert.equal(down.status, 503);
    assert.ok(down.headers.get("Retry-After"));
    await down.body?.cancel();
  } finally {
    await issuer.close();
  }
});

Deno.test("/api answers 503 when Stytch's keys cannot be fetched", async () => {
  const issuer = await startTestIssuer();
  try {
    using t = await createTestApp({ env: stytchEnv(issuer) });
    issuer.setMode("down");
    const cookie = `${STYTCH_SESSION_COOKIE}=${await issuer.sign(sessionClaims(issuer))}`;
    const res = await t.request("/api/todos", { headers: { Cookie: cookie } });
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.code, "service_unavailable");
  } finally {
    await issuer.close();
  }
});
