/**
 * In Stytch mode, a connected app that the person revokes at Stytch loses its open
 * `subscriptions/listen` streams within the introspection interval plus one heartbeat, and its
 * next call gets 401. Real MCP SDK client, real app, Stytch's HTTP boundary stood in for on
 * loopback (JWKS, introspection, the user-side revoke).
 */
import assert from "node:assert/strict";
import { streamSlotsFor } from "../live/limits.ts";
import { createStytchIdentity } from "../auth/stytch.ts";
import { createTestApp, type TestApp } from "../testing/app.ts";
import { startTestIssuer, type TestIssuer } from "../testing/issuer.ts";
import { bearerChallenge, MCP_URL, recordNotifications, toolCall } from "../testing/mcp.ts";
import { ClientV2, StreamableHTTPClientTransportV2 } from "../testing/mcp_sdk.ts";
import {
  accessTokenClaims,
  stytchEnv,
  TEST_PROJECT_ID,
  TEST_SECRET,
  TEST_USER_ID,
} from "../testing/stytch_mode.ts";
import { revokeConnectedApp } from "../testing/stytch_connected_apps.ts";
import { waitFor } from "../testing/wait.ts";
import { createTodo } from "../todos/mod.ts";

const FILTER = { resourcesListChanged: true, resourceSubscriptions: ["todoapp://todos"] };
/** Compressed for the test: the app's own values are 60 s and 20 s. */
const INTERVAL_MS = 500;
const HEARTBEAT_MS = 1000;

/** The app in Stytch mode, introspecting every {@linkcode INTERVAL_MS} and beating every {@linkcode HEARTBEAT_MS}. */
function createListenApp(issuer: TestIssuer): Promise<TestApp> {
  return createTestApp({
    env: stytchEnv(issuer),
    tuning: { live: { heartbeatMs: HEARTBEAT_MS } },
    identity: (config) =>
      createStytchIdentity(config.stytch!, { introspectionIntervalMs: INTERVAL_MS }),
  });
}

/** A v2 client pinned to 2026-07-28, talking to `app` in-process with `token`. */
async function connect(app: TestApp, token: string): Promise<ClientV2> {
  const transport = new StreamableHTTPClientTransportV2(new URL(MCP_URL), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
    fetch: (input, init) => Promise.resolve(app.app.fetch(new Request(input, init))),
  });
  const client = new ClientV2({ name: "stytch-revocation-test", version: "1.0.0" }, {
    versionNegotiation: { mode: { pin: "2026-07-28" } },
  });
  await client.connect(transport);
  return client;
}

Deno.test("revoking a connected app at Stytch ends its listen stream within the bound, and its next call gets 401", async () => {
  const issuer = await startTestIssuer();
  using app = await createListenApp(issuer);
  const claims = accessTokenClaims(issuer);
  const token = await issuer.sign(claims);
  const client = await connect(app, token);
  const seen = recordNotifications(client);
  try {
    const sub = await client.listen(FILTER);
    await createTodo(app.kv, TEST_USER_ID, "before");
    await waitFor(() => seen.listChanged === 1, "a change before the revocation is heard");

    await revokeConnectedApp(
      issuer.origin,
      { projectId: TEST_PROJECT_ID, secret: TEST_SECRET },
      TEST_USER_ID,
      claims.client_id as string,
    );
    const revokedAt = performance.now();
    const bound = INTERVAL_MS + HEARTBEAT_MS;
    const outcome = await Promise.race([
      sub.closed.then(() => "closed"),
      new Promise((resolve) => setTimeout(() => resolve("still open"), bound + 1000)),
    ]);
    const elapsed = performance.now() - revokedAt;
    assert.equal(outcome, "closed", "the stream ends");
    assert.ok(elapsed <= bound + 500, `ended ${Math.round(elapsed)} ms after the revocation`);
    await waitFor(
      () => streamSlotsFor(app.kv, app.config.live).open === 0,
      "the stream's slot is freed",
    );

    const next = await app.request("/mcp", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
      },
      body: JSON.stringify(toolCall("listTodos")),
    });
    assert.equal(next.status, 401);
    assert.equal(bearerChallenge(next).error, "invalid_token");
    await next.body?.cancel();
  } finally {
    await client.close();
    await issuer.close();
  }
});

Deno.test("a listen stream of a connected app that is not revoked stays open across introspections", async () => {
  const issuer = await startTestIssuer();
  using app = await createListenApp(issuer);
  const client = await connect(app, await issuer.sign(accessTokenClaims(issuer)));
  const seen = recordNotifications(client);
  try {
    const sub = await client.listen(FILTER);
    const asked = issuer.connectedApps.introspections;
    await new Promise((resolve) => setTimeout(resolve, 3 * HEARTBEAT_MS));
    await createTodo(app.kv, TEST_USER_ID, "later");
    await waitFor(() => seen.listChanged === 1, "a change after several re-checks is heard");
    const settled = await Promise.race([
      sub.closed.then(() => "closed"),
      Promise.resolve("open"),
    ]);
    assert.equal(settled, "open");
    const more = issuer.connectedApps.introspections - asked;
    assert.ok(more >= 2 && more <= 5, `${more} introspections in ${3 * HEARTBEAT_MS} ms`);
  } finally {
    await client.close();
    await issuer.close();
  }
});
