/**
 * A `subscriptions/listen` stream opened with a token of the built-in OAuth server ends once
 * its grant is revoked (consent withdrawn, refresh-token reuse), not only at the token's `exp`.
 */
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { openWatchCount } from "../live/changes.ts";
import { streamSlotsFor } from "../live/limits.ts";
import { approvedCode, exchangeCode, RESOURCE, tokenRequest } from "../testing/oauth.ts";
import { revokeConsent } from "../oauth/store/consents.ts";
import { createTestApp, type TestApp } from "../testing/app.ts";
import { ClientV2, StreamableHTTPClientTransportV2 } from "../testing/mcp_sdk.ts";
import { recordNotifications } from "../testing/mcp.ts";
import { createTodo } from "../todos/mod.ts";
import { waitFor } from "../testing/wait.ts";

const FILTER = { resourcesListChanged: true, resourceSubscriptions: ["todoapp://todos"] };

/** A real local grant through register, sign-in, consent and the code exchange. */
async function grantFor(app: TestApp) {
  const { clientId, verifier, code } = await approvedCode(app);
  const tokens = await exchangeCode(app, clientId, code, verifier);
  return { clientId, tokens, userId: decodeJwt(tokens.access_token).sub! };
}

/** A v2 client pinned to 2026-07-28, talking to `app` in-process with `token`. */
async function connect(app: TestApp, token: string): Promise<ClientV2> {
  const transport = new StreamableHTTPClientTransportV2(new URL(RESOURCE), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
    fetch: (input, init) => Promise.resolve(app.app.fetch(new Request(input, init))),
  });
  const client = new ClientV2({ name: "revocation-test", version: "1.0.0" }, {
    versionNegotiation: { mode: { pin: "2026-07-28" } },
  });
  await client.connect(transport);
  return client;
}

/** How `closed` settles within `ms`: "remote" when the server ended the stream. */
const settledWithin = (closed: Promise<unknown>, ms: number) => {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    closed,
    new Promise((resolve) => timer = setTimeout(() => resolve("still open"), ms)),
  ]).finally(() => clearTimeout(timer));
};

Deno.test("revoking the consent ends an open listen stream before it delivers a later change", async () => {
  // A heartbeat far away: only the check before delivery can end the stream in time.
  using app = await createTestApp({ tuning: { live: { heartbeatMs: 300_000 } } });
  const { clientId, tokens, userId } = await grantFor(app);
  const client = await connect(app, tokens.access_token);
  const seen = recordNotifications(client);
  try {
    const sub = await client.listen(FILTER);
    await createTodo(app.kv, userId, "before");
    await waitFor(() => seen.listChanged === 1, "a change before the revocation is heard");

    assert.equal(await revokeConsent(app.kv, userId, clientId), true);
    await createTodo(app.kv, userId, "after");
    assert.equal(await settledWithin(sub.closed, 3000), "remote");
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(seen.listChanged, 1, "no change after the revocation is delivered");
    await waitFor(
      () => streamSlotsFor(app.kv, app.config.live).open === 0,
      "the stream's slot is freed",
    );
    await waitFor(() => openWatchCount(app.kv) === 0, "and its watch");
  } finally {
    await client.close();
  }
});

Deno.test("an idle listen stream ends at the next heartbeat once refresh-token reuse revokes its grant", async () => {
  using app = await createTestApp({ tuning: { live: { heartbeatMs: 1000 } } });
  let offset = 0;
  app.deps.clock = () => Date.now() + offset;
  const { clientId, tokens, userId } = await grantFor(app);
  const client = await connect(app, tokens.access_token);
  const seen = recordNotifications(client);
  try {
    const sub = await client.listen(FILTER);
    const refresh = (token: string) =>
      tokenRequest(app, { grant_type: "refresh_token", client_id: clientId, refresh_token: token });
    const rotated = await refresh(tokens.refresh_token);
    assert.equal(rotated.status, 200);
    await rotated.body?.cancel();
    offset += 60_000; // past the rotation's grace window: reuse now revokes the whole chain
    const reuse = await refresh(tokens.refresh_token);
    assert.equal(reuse.status, 400);
    await reuse.body?.cancel();

    assert.equal(await settledWithin(sub.closed, 3000), "remote");
    await createTodo(app.kv, userId, "after");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(seen.listChanged, 0);
    await waitFor(
      () => streamSlotsFor(app.kv, app.config.live).open === 0,
      "the stream's slot is freed",
    );
  } finally {
    await client.close();
  }
});

Deno.test("the local provider's isGrantLive() reads the grant each time: true, then false once revoked", async () => {
  using app = await createTestApp();
  const { clientId, tokens, userId } = await grantFor(app);
  const { identity } = app.deps;
  const grant = await identity.verifyAccessToken(tokens.access_token, RESOURCE);
  assert.equal(await identity.isGrantLive!(grant), true);
  await revokeConsent(app.kv, userId, clientId);
  assert.equal(await identity.isGrantLive!(grant), false);
  // The verified-token cache does not hide it either.
  await assert.rejects(identity.verifyAccessToken(tokens.access_token, RESOURCE), /revoked/);
  assert.equal(
    await identity.isGrantLive!({ userId, clientId, scopes: [] }),
    false,
    "a grant naming no stored grant is not live",
  );
});
