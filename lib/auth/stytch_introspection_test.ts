/**
 * Connected Apps tokens re-checked with Stytch's introspection endpoint (the loopback
 * stand-in of lib/testing/stytch_connected_apps.ts): a revoked app's token stops working
 * within the interval, Stytch is asked at most once per token and interval, and an outage
 * keeps the last answer for a bounded time, then answers 503.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../config.ts";
import { ServiceUnavailableError } from "../errors.ts";
import { startTestIssuer, type TestIssuer } from "../testing/issuer.ts";
import {
  accessTokenClaims,
  stytchEnv,
  TEST_PROJECT_ID,
  TEST_SECRET,
  TEST_USER_ID,
} from "../testing/stytch_mode.ts";
import { revokeConnectedApp } from "../testing/stytch_connected_apps.ts";
import type { IdentityProvider } from "./identity.ts";
import { InvalidTokenError } from "./jwt.ts";
import { createStytchIdentity } from "./stytch.ts";

const RESOURCE = "http://localhost:8000/mcp";
const INTERVAL_MS = 300;
const STALE_MAX_MS = 1200;

async function withIssuer(fn: (issuer: TestIssuer, identity: IdentityProvider) => Promise<void>) {
  const issuer = await startTestIssuer();
  try {
    const identity = createStytchIdentity(parseConfig(stytchEnv(issuer)).stytch!, {
      timeoutMs: 400,
      introspectionIntervalMs: INTERVAL_MS,
      introspectionStaleMaxMs: STALE_MAX_MS,
    });
    await fn(issuer, identity);
  } finally {
    await issuer.close();
  }
}

const credentials = { projectId: TEST_PROJECT_ID, secret: TEST_SECRET };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a token of a connected app revoked at Stytch is refused once the interval has passed", async () => {
  await withIssuer(async (issuer, identity) => {
    const claims = accessTokenClaims(issuer);
    const token = await issuer.sign(claims);
    const grant = await identity.verifyAccessToken(token, RESOURCE);
    assert.equal(grant.userId, TEST_USER_ID);
    assert.equal(await identity.isGrantLive!(grant), true);

    await revokeConnectedApp(issuer.origin, credentials, TEST_USER_ID, claims.client_id as string);
    await sleep(INTERVAL_MS + 50);
    assert.equal(await identity.isGrantLive!(grant), false);
    await assert.rejects(identity.verifyAccessToken(token, RESOURCE), InvalidTokenError);
  });
});

Deno.test("Stytch is asked once per token and interval, and once for concurrent first uses", async () => {
  await withIssuer(async (issuer, identity) => {
    const token = await issuer.sign(accessTokenClaims(issuer));
    await Promise.all(
      Array.from({ length: 10 }, () => identity.verifyAccessToken(token, RESOURCE)),
    );
    assert.equal(issuer.connectedApps.introspections, 1, "10 concurrent first uses");
    for (let i = 0; i < 100; i++) await identity.verifyAccessToken(token, RESOURCE);
    assert.equal(issuer.connectedApps.introspections, 1, "100 more within the interval");
    await sleep(INTERVAL_MS + 50);
    await identity.verifyAccessToken(token, RESOURCE);
    assert.equal(issuer.connectedApps.introspections, 2, "asked again after the interval");
  });
});

Deno.test("while Stytch is down, the last answer holds for a bounded time, then 503 with Retry-After", async () => {
  await withIssuer(async (issuer, identity) => {
    const token = await issuer.sign(accessTokenClaims(issuer));
    const grant = await identity.verifyAccessToken(token, RESOURCE); // also fetches the JWKS
    issuer.setMode("down");
    await sleep(INTERVAL_MS + 50);
    assert.ok(await identity.verifyAccessToken(token, RESOURCE), "within the bound: still works");
    assert.equal(await identity.isGrantLive!(grant), true);

    const fresh = await issuer.sign(accessTokenClaims(issuer));
    await assert.rejects(identity.verifyAccessToken(fresh, RESOURCE), ServiceUnavailableError);

    await sleep(STALE_MAX_MS);
    const refused = await identity.verifyAccessToken(token, RESOURCE).catch((error) => error);
    assert.ok(refused instanceof ServiceUnavailableError, String(refused));
    assert.ok(Number(refused.responseHeaders()["Retry-After"]) > 0);
    await assert.rejects(identity.isGrantLive!(grant), ServiceUnavailableError);

    issuer.setMode("up");
    assert.ok(await identity.verifyAccessToken(token, RESOURCE), "recovers once Stytch answers");
  });
});

Deno.test("a hanging introspection endpoint fails in bounded time", async () => {
  await withIssuer(async (issuer, identity) => {
    await identity.verifyAccessToken(await issuer.sign(accessTokenClaims(issuer)), RESOURCE);
    issuer.setMode("hang");
    const started = performance.now();
    await assert.rejects(
      identity.verifyAccessToken(await issuer.sign(accessTokenClaims(issuer)), RESOURCE),
      ServiceUnavailableError,
    );
    assert.ok(performance.now() - started < 400 + 1500);
  });
});

Deno.test("a confidential client's tokens, which Stytch will not introspect for us, are checked locally", async () => {
  await withIssuer(async (issuer, identity) => {
    const claims = accessTokenClaims(issuer);
    issuer.connectedApps.makeConfidential(claims.client_id as string, "client-secret");
    const token = await issuer.sign(claims);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      assert.ok(await identity.verifyAccessToken(token, RESOURCE));
      await sleep(INTERVAL_MS + 50);
      assert.ok(await identity.verifyAccessToken(token, RESOURCE));
    } finally {
      console.warn = warn;
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], new RegExp(claims.client_id as string));
    assert.ok(!warnings[0].includes(token));
  });
});

Deno.test("a grant this provider did not hand out is not live", async () => {
  await withIssuer(async (_issuer, identity) => {
    assert.equal(
      await identity.isGrantLive!({ userId: TEST_USER_ID, clientId: "x", scopes: [] }),
      false,
    );
  });
});
