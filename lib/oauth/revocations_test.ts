import assert from "node:assert/strict";
import { AppError, ConflictError, NotFoundError } from "../errors.ts";
import { createTestApp, sessionUser, TEST_ORIGIN, type TestApp } from "../testing/app.ts";
import {
  MAX_REVOCATION_BYTES,
  MAX_UNDOABLE_GRANTS,
  revocationKeys,
  revokeConsentUndoably,
  UNDO_REVOCATION_MS,
  undoRevocation,
} from "./revocations.ts";
import { hashSecret, newSecret } from "./secrets.ts";
import { listConsents } from "./store/consents.ts";
import { grantKeys, type StoredGrant, type StoredRefreshToken } from "./store/grants.ts";
import {
  authorizeCode,
  exchangeCode,
  mcpPingStatus,
  pkcePair,
  registerClient,
  tokenRequest,
} from "../testing/oauth.ts";

/** The status of a refresh-token grant with `refreshToken`. */
async function refreshStatus(app: TestApp, clientId: string, refreshToken: string) {
  const response = await tokenRequest(app, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: refreshToken,
  });
  await response.body?.cancel();
  return response.status;
}

/** Ada approves a client through the built-in flow; her user id, the client and its tokens. */
async function connectedApp(app: TestApp, email = "ada@example.com") {
  const clientId = await registerClient(app);
  const { verifier, challenge } = await pkcePair();
  const { code, cookie } = await authorizeCode(app, clientId, challenge, email);
  const tokens = await exchangeCode(app, clientId, code, verifier);
  const user = await sessionUser(
    app.deps.identity,
    new Request(TEST_ORIGIN, { headers: { Cookie: cookie } }),
  );
  return { userId: user!.id, clientId, tokens, cookie };
}

/** Every key and versionstamp in KV, to show that a refused call wrote nothing. */
async function snapshot(kv: Deno.Kv): Promise<string[]> {
  const rows: string[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    rows.push(`${JSON.stringify(entry.key)}@${entry.versionstamp}`);
  }
  return rows;
}

Deno.test("revokeConsentUndoably() stops the app's tokens at once; undoRevocation() brings the same ones back", async () => {
  using app = await createTestApp();
  const { userId, clientId, tokens } = await connectedApp(app);
  assert.equal(await mcpPingStatus(app.request, tokens.access_token), 200);

  const outcome = await revokeConsentUndoably(app.kv, userId, clientId, Date.now());
  assert.equal(outcome.kind, "revoked");
  assert.ok(outcome.kind === "revoked" && outcome.undoToken);
  assert.equal(outcome.clientName, "Test Client");
  assert.equal(
    await mcpPingStatus(app.request, tokens.access_token),
    401,
    "the access token fails at once",
  );
  assert.equal(await refreshStatus(app, clientId, tokens.refresh_token), 400, "so does refresh");
  assert.deepEqual(await listConsents(app.kv, userId), []);
  const recordKey = revocationKeys.revocation(userId, await hashSecret(outcome.undoToken));
  assert.ok((await app.kv.get(recordKey)).value, "kept under the token's hash");

  const consent = await undoRevocation(app.kv, userId, outcome.undoToken, Date.now());
  assert.equal(consent.clientId, clientId);
  assert.equal((await listConsents(app.kv, userId)).length, 1);
  assert.equal((await app.kv.get(recordKey)).value, null, "the record is used up");
  assert.equal(
    await mcpPingStatus(app.request, tokens.access_token),
    200,
    "the same access token works",
  );
  assert.equal(await refreshStatus(app, clientId, tokens.refresh_token), 200, "and refresh");
});

Deno.test("revokeConsentUndoably() answers not_connected for an app the user never approved", async () => {
  using app = await createTestApp();
  const { userId } = await connectedApp(app);
  const before = await snapshot(app.kv);
  const outcome = await revokeConsentUndoably(app.kv, userId, "no-such-client", Date.now());
  assert.deepEqual(outcome, { kind: "not_connected" });
  assert.deepEqual(await snapshot(app.kv), before);
});

Deno.test("undoRevocation() refuses malformed, unknown, foreign, expired and reused tokens, changing nothing", async () => {
  using app = await createTestApp();
  const ada = await connectedApp(app);
  const bob = await connectedApp(app, "bob@example.com");
  const now = Date.now();
  const outcome = await revokeConsentUndoably(app.kv, ada.userId, ada.clientId, now);
  assert.ok(outcome.kind === "revoked" && outcome.undoToken);
  const token = outcome.undoToken;
  const before = await snapshot(app.kv);

  const refuse = async (userId: string, value: unknown, at: number, status: number) => {
    await assert.rejects(
      undoRevocation(app.kv, userId, value, at),
      (error: unknown) => error instanceof AppError && error.status === status,
    );
    assert.deepEqual(await snapshot(app.kv), before, `nothing changed for ${String(value)}`);
  };
  for (const malformed of [undefined, null, 42, "", "short", `${token.slice(1)}!`, token + "x"]) {
    await refuse(ada.userId, malformed, now, 400);
  }
  await refuse(ada.userId, newSecret(), now, 404); // unknown
  await refuse(bob.userId, token, now, 404); // someone else's
  await refuse(ada.userId, token, now + UNDO_REVOCATION_MS, 404); // expired
  assert.equal(await mcpPingStatus(app.request, ada.tokens.access_token), 401, "still revoked");
  assert.equal(
    await mcpPingStatus(app.request, bob.tokens.access_token),
    200,
    "Bob's app is untouched",
  );

  await undoRevocation(app.kv, ada.userId, token, now + 1000);
  await assert.rejects(undoRevocation(app.kv, ada.userId, token, now + 2000), NotFoundError);
});

Deno.test("undoRevocation() twice at once restores once; the other call is refused", async () => {
  using app = await createTestApp();
  const { userId, clientId, tokens } = await connectedApp(app);
  const outcome = await revokeConsentUndoably(app.kv, userId, clientId, Date.now());
  assert.ok(outcome.kind === "revoked" && outcome.undoToken);
  const results = await Promise.allSettled([
    undoRevocation(app.kv, userId, outcome.undoToken, Date.now()),
    undoRevocation(app.kv, userId, outcome.undoToken, Date.now()),
  ]);
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
  assert.ok(refused.reason instanceof NotFoundError);
  assert.equal(await mcpPingStatus(app.request, tokens.access_token), 200);
});

Deno.test("an Undo that another Undo beats between its reads is refused as used (404), not as approved again", async () => {
  using app = await createTestApp();
  const { userId, clientId } = await connectedApp(app);
  const outcome = await revokeConsentUndoably(app.kv, userId, clientId, Date.now());
  assert.ok(outcome.kind === "revoked" && outcome.undoToken);
  const token = outcome.undoToken;
  const recordKey = revocationKeys.revocation(userId, await hashSecret(token));
  // The other Undo completes right after this one has read the revocation record.
  let otherUndo: Promise<unknown> | null = null;
  const raced = new Proxy(app.kv, {
    get(target, name) {
      if (name === "get") {
        return async (key: Deno.KvKey) => {
          const entry = await target.get(key);
          if (!otherUndo && JSON.stringify(key) === JSON.stringify(recordKey)) {
            otherUndo = undoRevocation(target, userId, token, Date.now());
            await otherUndo;
          }
          return entry;
        };
      }
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  await assert.rejects(undoRevocation(raced, userId, token, Date.now()), NotFoundError);
  assert.ok(otherUndo, "the other Undo ran");
  assert.equal((await listConsents(app.kv, userId)).length, 1, "restored once");
});

Deno.test("undoRevocation() refuses (409) once the app was approved again, keeping the new connection", async () => {
  using app = await createTestApp();
  const { userId, clientId, tokens } = await connectedApp(app);
  const outcome = await revokeConsentUndoably(app.kv, userId, clientId, Date.now());
  assert.ok(outcome.kind === "revoked" && outcome.undoToken);
  const { verifier, challenge } = await pkcePair();
  const { code } = await authorizeCode(app, clientId, challenge);
  const fresh = await exchangeCode(app, clientId, code, verifier);
  const before = await snapshot(app.kv);

  await assert.rejects(
    undoRevocation(app.kv, userId, outcome.undoToken, Date.now()),
    (error: unknown) =>
      error instanceof ConflictError && /approved Test Client again/.test(error.message),
  );
  assert.deepEqual(await snapshot(app.kv), before, "nothing changed");
  assert.equal(
    await mcpPingStatus(app.request, fresh.access_token),
    200,
    "the new connection works",
  );
  assert.equal(
    await mcpPingStatus(app.request, tokens.access_token),
    401,
    "the revoked one stays revoked",
  );
});

/** Adds `count` more grants (each with its live refresh token) for the user's client. */
async function addGrants(kv: Deno.Kv, userId: string, clientId: string, count: number) {
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const refreshHash = await hashSecret(newSecret());
    const grant: StoredGrant = {
      grantId: crypto.randomUUID(),
      userId,
      clientId,
      scopes: ["todos:read", "todos:write"],
      resource: `${TEST_ORIGIN}/mcp`,
      refreshHash,
      createdAt: now,
      expiresAt: now + 30 * 86_400_000,
    };
    const refresh: StoredRefreshToken = {
      grantId: grant.grantId,
      userId,
      clientId,
      expiresAt: grant.expiresAt,
      rotatedAt: null,
    };
    await kv.set(grantKeys.grant(userId, clientId, grant.grantId), grant);
    await kv.set(grantKeys.refresh(refreshHash), refresh);
  }
}

Deno.test(`revokeConsentUndoably() keeps up to ${MAX_UNDOABLE_GRANTS} grants in one record under 64 KiB`, async () => {
  using app = await createTestApp();
  const { userId, clientId, tokens } = await connectedApp(app);
  await addGrants(app.kv, userId, clientId, MAX_UNDOABLE_GRANTS - 1);
  const outcome = await revokeConsentUndoably(app.kv, userId, clientId, Date.now());
  assert.ok(outcome.kind === "revoked" && outcome.undoToken, "Undo is offered");
  const record = await app.kv.get(
    revocationKeys.revocation(userId, await hashSecret(outcome.undoToken)),
  );
  assert.ok(JSON.stringify(record.value).length <= MAX_REVOCATION_BYTES);
  await undoRevocation(app.kv, userId, outcome.undoToken, Date.now());
  let grants = 0;
  for await (const _ of app.kv.list({ prefix: grantKeys.grantsOf(userId, clientId) })) grants++;
  assert.equal(grants, MAX_UNDOABLE_GRANTS);
  assert.equal(await mcpPingStatus(app.request, tokens.access_token), 200);
});

Deno.test("revokeConsentUndoably() revokes an app with too many grants without offering Undo", async () => {
  using app = await createTestApp();
  const { userId, clientId, tokens } = await connectedApp(app);
  await addGrants(app.kv, userId, clientId, MAX_UNDOABLE_GRANTS);
  const outcome = await revokeConsentUndoably(app.kv, userId, clientId, Date.now());
  assert.deepEqual(outcome, { kind: "revoked", clientName: "Test Client", undoToken: null });
  assert.equal(await mcpPingStatus(app.request, tokens.access_token), 401);
  for (const prefix of [grantKeys.grantsOf(userId, clientId), ["oauth_revocations"]]) {
    for await (const entry of app.kv.list({ prefix })) assert.fail(`left ${entry.key}`);
  }
});

Deno.test("a refresh token reused while the app was revoked keeps its chain revoked after Undo", async () => {
  using app = await createTestApp({ tuning: { tokens: { refreshReuseGraceMs: 0 } } });
  const { userId, clientId, tokens } = await connectedApp(app);
  // The client refreshes once: the first refresh token is now rotated (a thief may hold it).
  const refreshed = await tokenRequest(app, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: tokens.refresh_token,
  });
  assert.equal(refreshed.status, 200);
  const current = await refreshed.json();

  const outcome = await revokeConsentUndoably(app.kv, userId, clientId, Date.now());
  assert.ok(outcome.kind === "revoked" && outcome.undoToken);
  // While revoked, the old token comes back: reuse, detected.
  const reused = await tokenRequest(app, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: tokens.refresh_token,
  });
  assert.equal(reused.status, 400);
  assert.match((await reused.json()).error_description, /already used/);

  await undoRevocation(app.kv, userId, outcome.undoToken, Date.now());
  assert.equal((await listConsents(app.kv, userId)).length, 1, "the consent comes back");
  assert.equal(await mcpPingStatus(app.request, current.access_token), 401, "not the chain");
  assert.equal(await refreshStatus(app, clientId, current.refresh_token), 400);
  let grants = 0;
  for await (const _ of app.kv.list({ prefix: grantKeys.grantsOf(userId, clientId) })) grants++;
  assert.equal(grants, 0);
});
