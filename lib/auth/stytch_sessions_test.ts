/**
 * The renewal memo of lib/auth/stytch_sessions.ts against the HTTPS sessions API stand-in (run
 * with `DENO_CERT=lib/testing/tls/ca.pem`, as `deno task test` does): outcomes are reused within
 * their window only and kept within their byte budget.
 */
import assert from "node:assert/strict";
import { startTestIssuer } from "../testing/issuer.ts";
import { TEST_PROJECT_ID, TEST_SECRET } from "../testing/stytch_mode.ts";
import { createStytchSessions } from "./stytch_sessions.ts";

/** The sessions API settings for the stand-in `issuer` serves. */
const sessionsConfig = (issuer: { api: { origin: string } }) => ({
  projectId: TEST_PROJECT_ID,
  secret: TEST_SECRET,
  apiUrl: new URL(issuer.api.origin),
});

Deno.test("renewal outcomes stay within their byte budget: past it the oldest is asked for again", async () => {
  const issuer = await startTestIssuer();
  try {
    const config = sessionsConfig(issuer);
    const sessions = [];
    for (let i = 0; i < 4; i++) sessions.push(await issuer.api.startSession({ jwtExpiresIn: -1 }));
    const renewOf = (session: { sessionToken: string }) => ({
      session_token: session.sessionToken,
    });

    // Measure one settled outcome, then allow room for two and a half of them.
    const probe = createStytchSessions(config);
    const renewal = await probe.renew(renewOf(sessions[0]));
    assert.equal(renewal.kind, "renewed");
    const outcomeBytes = 66 + JSON.stringify(renewal).length; // "t:" + SHA-256 hex, and the outcome
    const memo = createStytchSessions(config, { memoBytes: Math.floor(outcomeBytes * 2.5) });
    const before = issuer.api.calls.authenticate;
    for (const session of sessions.slice(1)) {
      assert.equal((await memo.renew(renewOf(session))).kind, "renewed");
    }
    assert.equal(issuer.api.calls.authenticate, before + 3);

    await memo.renew(renewOf(sessions[3]));
    await memo.renew(renewOf(sessions[2]));
    assert.equal(issuer.api.calls.authenticate, before + 3, "the newest two are reused");
    await memo.renew(renewOf(sessions[1]));
    assert.equal(issuer.api.calls.authenticate, before + 4, "the oldest was dropped");
  } finally {
    await issuer.close();
  }
});

Deno.test("an outcome is reused within its window only: Stytch back up is asked again after it", async () => {
  const issuer = await startTestIssuer();
  try {
    const config = sessionsConfig(issuer);
    const session = await issuer.api.startSession({ jwtExpiresIn: -1 });
    const credential = { session_token: session.sessionToken };
    const memoMs = 100;
    const sessions = createStytchSessions(config, { memoMs });
    await issuer.api.setMode("down");
    assert.equal((await sessions.renew(credential)).kind, "unavailable");
    await issuer.api.setMode("up");
    assert.equal((await sessions.renew(credential)).kind, "unavailable", "reused in its window");
    await new Promise((resolve) => setTimeout(resolve, memoMs + 20));
    assert.equal((await sessions.renew(credential)).kind, "renewed", "asked again after it");
  } finally {
    await issuer.close();
  }
});
