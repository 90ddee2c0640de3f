/**
 * Stytch's signing keys: a rotation never refuses a valid user, keys that cannot be fetched are
 * a 503, and tokens naming made-up keys cost at most one fetch per refetch interval.
 */
import assert from "node:assert/strict";
import { InvalidTokenError, ServiceUnavailableError } from "../errors.ts";
import { startTestIssuer, type TestIssuer } from "../testing/issuer.ts";
import { sessionClaims, stytchEnv, TEST_USER_ID } from "../testing/stytch_mode.ts";
import { parseConfig } from "../config.ts";
import { createStytchTokenVerifier, type StytchTokenVerifier } from "./stytch_tokens.ts";
import { JWKS_REFETCH_INTERVAL_MS } from "./stytch_jwks.ts";

const INTERVAL_MS = 600;

async function withVerifier(
  fn: (issuer: TestIssuer, tokens: StytchTokenVerifier) => Promise<void>,
) {
  const issuer = await startTestIssuer();
  try {
    const config = parseConfig(stytchEnv(issuer)).stytch!;
    await fn(issuer, createStytchTokenVerifier(config, { refetchIntervalMs: INTERVAL_MS }));
  } finally {
    await issuer.close();
  }
}

async function userOf(tokens: StytchTokenVerifier, token: string) {
  const checked = await tokens.checkSession(token);
  return checked === "expired" ? null : checked.user.id;
}

Deno.test("a key rotated in right after the keys were fetched: the valid user passes, one refetch", async () => {
  await withVerifier(async (issuer, tokens) => {
    assert.equal(await userOf(tokens, await issuer.sign(sessionClaims(issuer))), TEST_USER_ID);
    assert.equal(issuer.jwksFetches, 1);
    await issuer.rotate();
    const after = await issuer.sign(sessionClaims(issuer));
    assert.equal(await userOf(tokens, after), TEST_USER_ID, "no 401 for a rotation");
    assert.equal(issuer.jwksFetches, 2);
    assert.equal(await userOf(tokens, after), TEST_USER_ID);
    assert.equal(issuer.jwksFetches, 2, "known now: no more fetches");
  });
});

Deno.test("a second rotation inside the interval waits for the next allowed refetch, then passes", async () => {
  await withVerifier(async (issuer, tokens) => {
    await tokens.checkSession(await issuer.sign(sessionClaims(issuer)));
    await issuer.rotate();
    await tokens.checkSession(await issuer.sign(sessionClaims(issuer)));
    await issuer.rotate();
    const started = performance.now();
    const newest = await issuer.sign(sessionClaims(issuer));
    assert.equal(await userOf(tokens, newest), TEST_USER_ID);
    assert.equal(issuer.jwksFetches, 3);
    assert.ok(performance.now() - started < INTERVAL_MS + 1000);
  });
});

Deno.test("tokens with made-up key ids cause at most one fetch per interval, even at once", async () => {
  await withVerifier(async (issuer, tokens) => {
    await tokens.checkSession(await issuer.sign(sessionClaims(issuer)));
    const bogus = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => issuer.sign(sessionClaims(issuer), { kid: `made-up-${i}` }),
      ),
    );
    const started = performance.now();
    const results = await Promise.allSettled(bogus.map((token) => tokens.checkSession(token)));
    for (const result of results) {
      assert.equal(result.status, "rejected");
      assert.ok(result.reason instanceof InvalidTokenError);
    }
    assert.equal(issuer.jwksFetches, 2, "twenty unknown keys, one refetch");
    const elapsed = performance.now() - started;
    // A second wave right away: its tokens claim to be newer than the keys, so they wait for
    // the next interval's one refetch.
    await Promise.allSettled(bogus.map((token) => tokens.checkSession(token)));
    assert.ok(issuer.jwksFetches <= 3, `${issuer.jwksFetches} fetches`);
    assert.ok(elapsed < 2000, `${elapsed} ms`);
  });
});

Deno.test("a token issued long before the keys were fetched, naming an unknown key, is refused at once", async () => {
  await withVerifier(async (issuer, tokens) => {
    await tokens.checkSession(await issuer.sign(sessionClaims(issuer)));
    const now = Math.floor(Date.now() / 1000);
    const old = await issuer.sign(sessionClaims(issuer, { iat: now - 600 }), {
      kid: "old-unknown",
    });
    await assert.rejects(tokens.checkSession(old), InvalidTokenError);
    assert.equal(issuer.jwksFetches, 1, "no refetch: the keys already postdate the token");
  });
});

Deno.test("an unknown key while the keys cannot be fetched is 503, and verified tokens stay trusted", async () => {
  await withVerifier(async (issuer, tokens) => {
    const before = await issuer.sign(sessionClaims(issuer));
    assert.equal(await userOf(tokens, before), TEST_USER_ID);
    issuer.setMode("down");
    await issuer.rotate();
    const after = await issuer.sign(sessionClaims(issuer));
    await assert.rejects(tokens.checkSession(after), ServiceUnavailableError);
    assert.equal(await userOf(tokens, before), TEST_USER_ID, "the refetch flushed nothing");
    issuer.setMode("up");
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    assert.equal(await userOf(tokens, after), TEST_USER_ID);
  });
});

Deno.test("the default refetch interval is a few seconds", () => {
  assert.ok(JWKS_REFETCH_INTERVAL_MS >= 1000 && JWKS_REFETCH_INTERVAL_MS <= 10_000);
});
