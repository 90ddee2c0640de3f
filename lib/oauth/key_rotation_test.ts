import assert from "node:assert/strict";
import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import type { ReadAlong } from "../auth/identity.ts";
import { InvalidTokenError } from "../auth/jwt.ts";
import { createTestApp, type TestApp } from "../testing/app.ts";
import { takeTestRsaKey } from "../testing/rsa_keys.ts";
import { getSigningKeys, type SigningKeyRecord, signingKeysKey } from "./store/signing_keys.ts";
import { revokeGrant } from "./store/grants.ts";
import { noteLocalChange } from "../kv/local_changes.ts";
import {
  currentSigningKey,
  KEY_REFRESH_MS,
  publicJwks,
  signingKeyRecord,
  UNKNOWN_KID_COOLDOWN_MS,
  verificationKeys,
} from "./key_rotation.ts";
import { approvedCode, exchangeCode, RESOURCE } from "../testing/oauth.ts";
import {
  ACCESS_TOKEN_TTL_SECONDS,
  type AccessTokenClaims,
  GRANT_RECHECK_MS,
  issueAccessToken,
  rememberedTokenCount,
  signingKeyPolicy,
  verifyLocalAccessToken,
} from "./tokens.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Keys rotate daily in these tests (the shortest rotation lib/tuning_test.ts allows). */
const TUNED = { tokens: { signingKeyRotationMs: DAY_MS } };

/** A live grant's claims (from the real flow) and helpers that sign and verify at a given time. */
async function withGrant(app: TestApp) {
  const { clientId, verifier, code } = await approvedCode(app);
  const { access_token } = await exchangeCode(app, clientId, code, verifier);
  const payload = decodeJwt(access_token);
  const claims: AccessTokenClaims = {
    issuer: payload.iss!,
    userId: payload.sub!,
    clientId,
    scopes: (payload.scope as string).split(" "),
    resource: RESOURCE,
    grantId: payload.grant_id as string,
  };
  const keyRotationMs = app.config.tokens.signingKeyRotationMs;
  return {
    token: access_token,
    claims,
    issue: (now: number) => issueAccessToken(app.kv, claims, { now, keyRotationMs }),
    verify: (token: string, now: number) => verifyLocalAccessToken(app.kv, token, RESOURCE, now),
  };
}

/** An app on its first start: no signing key stored yet, so every key here is one it made. */
async function firstStartApp(options?: Parameters<typeof createTestApp>[0]): Promise<TestApp> {
  const app = await createTestApp(options);
  await app.kv.delete(signingKeysKey());
  return app;
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

async function jwksKids(app: TestApp | Deno.Kv, now?: number): Promise<string[]> {
  const kv = app instanceof Deno.Kv ? app : app.kv;
  return (await publicJwks(kv, now)).keys.map((key) => key.kid!);
}

Deno.test("a token signed before a rotation verifies after it, and not after a second one", async () => {
  using app = await createTestApp({ tuning: TUNED });
  const t0 = Date.now();
  const { token, issue, verify } = await withGrant(app);
  const first = kidOf(token);

  const afterOne = t0 + DAY_MS + 60_000;
  const rotated = await issue(afterOne);
  assert.notEqual(kidOf(rotated), first, "the first rotation made a new key");
  await verify(token, afterOne);
  assert.deepEqual(await jwksKids(app, afterOne), [kidOf(rotated), first]);
  const published = await (await app.request("/oauth/jwks.json")).json();
  assert.deepEqual(published.keys.map((key: { kid: string }) => key.kid), [kidOf(rotated), first]);

  const afterTwo = afterOne + DAY_MS;
  const again = await issue(afterTwo);
  assert.deepEqual(await jwksKids(app, afterTwo), [kidOf(again), kidOf(rotated)]);
  await assert.rejects(verify(token, afterTwo), InvalidTokenError);
  const expiresAt = decodeJwt(token).exp! * 1000;
  assert.ok(expiresAt < afterOne + ACCESS_TOKEN_TTL_SECONDS * 1000, "it had expired anyway");
});

Deno.test("the previous key is kept until every token it signed has expired", async () => {
  // Even with a schedule shorter than a token's life (not configurable, but a rule of
  // key_rotation.ts).
  using app = await firstStartApp();
  const policy = { rotateAfterMs: 1, tokenLifetimeMs: ACCESS_TOKEN_TTL_SECONDS * 1000 };
  const t0 = Date.now();
  const a = await currentSigningKey(app.kv, policy, t0);
  const b = await currentSigningKey(app.kv, policy, t0 + 1);
  assert.notEqual(b.kid, a.kid);
  const lastSignedByA = t0 + 1;
  const beforeExpiry = lastSignedByA + policy.tokenLifetimeMs;
  assert.equal((await currentSigningKey(app.kv, policy, beforeExpiry)).kid, b.kid);
  assert.deepEqual(await jwksKids(app, beforeExpiry), [b.kid, a.kid]);
  const later = beforeExpiry + 3 * 60_000;
  const c = await currentSigningKey(app.kv, policy, later);
  assert.deepEqual(await jwksKids(app, later), [c.kid, b.kid]);
});

/**
 * Two isolates over one store: each has its own key cache (keyed by the handle), both reach
 * the same data. (Two SQLite handles on one file in one process meet "database is locked";
 * Deno Deploy's KV has no such limit.)
 */
async function twoIsolates(run: (mine: Deno.Kv, other: Deno.Kv) => Promise<void>) {
  using app = await firstStartApp();
  const kv = app.kv;
  const other = { get: kv.get.bind(kv), atomic: kv.atomic.bind(kv) } as unknown as Deno.Kv;
  await run(kv, other);
}

Deno.test("two isolates rotating at once make one new key, and each signs with it", async () => {
  await twoIsolates(async (mine, other) => {
    const policy = signingKeyPolicy(DAY_MS);
    const t0 = Date.now();
    const first = await currentSigningKey(mine, policy, t0);
    assert.equal((await currentSigningKey(other, policy, t0)).kid, first.kid);
    const due = t0 + DAY_MS;
    const signers = await Promise.all([
      currentSigningKey(mine, policy, due),
      currentSigningKey(other, policy, due),
      currentSigningKey(other, policy, due),
    ]);
    assert.notEqual(signers[0].kid, first.kid);
    assert.deepEqual(signers.map((key) => key.kid), Array(3).fill(signers[0].kid));
    const stored = await getSigningKeys(mine);
    assert.equal(stored?.current.kid, signers[0].kid);
    assert.equal(stored?.previous?.kid, first.kid);
  });
});

Deno.test("an isolate picks up another's rotation: unknown key ids at once, and when it signs", async () => {
  await twoIsolates(async (mine, other) => {
    const policy = signingKeyPolicy(DAY_MS);
    const t0 = Date.now();
    const a = await currentSigningKey(mine, policy, t0);
    assert.equal((await currentSigningKey(mine, policy, t0 + DAY_MS - 1)).kid, a.kid);
    const rotatedAt = t0 + DAY_MS;
    const b = await currentSigningKey(other, policy, rotatedAt);
    assert.notEqual(b.kid, a.kid);
    assert.deepEqual(await jwksKids(mine, rotatedAt), [a.kid], "still cached");

    const token = await new SignJWT({}).setProtectedHeader({ alg: "RS256", kid: b.kid })
      .sign(b.privateKey);
    await jwtVerify(token, (await verificationKeys(mine, b.kid, rotatedAt)).verify);
    assert.equal((await currentSigningKey(mine, policy, rotatedAt)).kid, b.kid);
    const stored = await getSigningKeys(mine);
    assert.deepEqual([stored?.current.kid, stored?.previous?.kid], [b.kid, a.kid], "no third key");
  });
});

Deno.test("an isolate reads its cached keys again after KEY_REFRESH_MS", async () => {
  await twoIsolates(async (mine, other) => {
    const t0 = Date.now();
    const a = await currentSigningKey(mine, signingKeyPolicy(DAY_MS), t0);
    // Another isolate rotates early (as one with a shorter schedule would).
    const eager = { rotateAfterMs: 1, tokenLifetimeMs: ACCESS_TOKEN_TTL_SECONDS * 1000 };
    const b = await currentSigningKey(other, eager, t0 + 1);
    assert.notEqual(b.kid, a.kid);
    const policy = signingKeyPolicy(DAY_MS);
    assert.equal((await currentSigningKey(mine, policy, t0 + KEY_REFRESH_MS - 1)).kid, a.kid);
    assert.equal((await currentSigningKey(mine, policy, t0 + KEY_REFRESH_MS)).kid, b.kid);
  });
});

Deno.test("a remembered token waits for a read of the keys under way, which refuses it when its key is gone", async () => {
  using app = await createTestApp({ tuning: TUNED });
  const { token } = await withGrant(app);
  const isolate = heldKv(app);
  const t0 = Date.now();
  await verifyLocalAccessToken(isolate.kv, token, RESOURCE, t0); // now answered from memory
  // Another isolate replaced the keys (the token's is gone); this one starts reading them.
  const { privateJwk, publicJwk } = await takeTestRsaKey();
  const replacement = signingKeyRecord(privateJwk, publicJwk, t0);
  await app.kv.set(signingKeysKey(), { version: 2, current: replacement, previous: null });
  const reading = isolate.hold();
  const keys = verificationKeys(isolate.kv, `local-${crypto.randomUUID()}`, t0 + 1);
  await reading.started;
  const verifying = verifyLocalAccessToken(isolate.kv, token, RESOURCE, t0 + 2);
  reading.release();
  await assert.rejects(verifying, InvalidTokenError);
  assert.deepEqual((await keys).kids, [replacement.kid]);
});

/** `app`'s KV through a handle (an isolate of its own) whose next reads can be held. */
function heldKv(app: TestApp) {
  let held: { started: () => void; released: Promise<void> } | null = null;
  const read = async <T>(run: () => Promise<T>) => {
    if (held) {
      held.started();
      await held.released;
    }
    return await run();
  };
  const kv = {
    get: (key: Deno.KvKey) => read(() => app.kv.get(key)),
    getMany: (keys: Deno.KvKey[]) => read(() => app.kv.getMany(keys)),
    atomic: () => app.kv.atomic(),
  } as unknown as Deno.Kv;
  return {
    kv,
    /** Holds reads from now until `release()`; `started` settles when one is held. */
    hold() {
      const started = Promise.withResolvers<void>();
      const released = Promise.withResolvers<void>();
      held = { started: started.resolve, released: released.promise };
      return {
        started: started.promise,
        release: () => {
          held = null;
          released.resolve();
        },
      };
    },
  };
}

Deno.test("a single-key record of the first format is migrated and its tokens keep verifying", async () => {
  using app = await createTestApp({ tuning: TUNED });
  const t0 = Date.now();
  const { claims, issue, verify } = await withGrant(app);
  // An install from before rotation: one key, stored bare, made long ago.
  const key = await takeTestRsaKey();
  const { privateKey } = key;
  const kid = `local-${crypto.randomUUID()}`;
  const privateJwk = { ...key.privateJwk, kid, alg: "RS256" };
  const publicJwk = { ...key.publicJwk, kid, alg: "RS256", use: "sig" };
  const legacy: SigningKeyRecord = { kid, privateJwk, publicJwk, createdAt: t0 - 90 * DAY_MS };
  await app.kv.set(signingKeysKey(), legacy);
  const seconds = Math.floor(t0 / 1000);
  const oldToken = await new SignJWT({
    scope: claims.scopes.join(" "),
    client_id: claims.clientId,
    grant_id: claims.grantId,
  }).setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid })
    .setIssuer(claims.issuer).setSubject(claims.userId).setAudience(RESOURCE)
    .setIssuedAt(seconds).setNotBefore(seconds).setExpirationTime(seconds + 3600)
    .setJti(crypto.randomUUID()).sign(privateKey);

  await verify(oldToken, t0);
  const fresh = await issue(t0 + 1);
  assert.notEqual(kidOf(fresh), kid, "the overdue key was rotated out of signing");
  const stored = await app.kv.get<{ version: number }>(signingKeysKey());
  assert.equal(stored.value?.version, 2);
  assert.equal((await getSigningKeys(app.kv))?.previous?.kid, kid);
  await verify(oldToken, t0 + 1);
  await verify(fresh, t0 + 1);
});

/** `app`'s KV seen through a handle that counts its reads (an isolate of its own). */
function countingKv(app: TestApp) {
  const counter = { reads: 0, kv: undefined as unknown as Deno.Kv };
  counter.kv = {
    get: (key: Deno.KvKey) => (counter.reads++, app.kv.get(key)),
    getMany: (keys: Deno.KvKey[]) => (counter.reads++, app.kv.getMany(keys)),
    atomic: () => app.kv.atomic(),
  } as unknown as Deno.Kv;
  return counter;
}

/** `token` with its header's `kid` replaced (the signature no longer matters). */
function withKid(token: string, kid: unknown): string {
  const [, payload, signature] = token.split(".");
  const header = new TextEncoder().encode(JSON.stringify({ ...decodeProtectedHeader(token), kid }))
    .toBase64({ alphabet: "base64url", omitPadding: true });
  return `${header}.${payload}.${signature}`;
}

/** A token of a fresh grant, verified once (now) through a KV handle that counts its reads. */
async function verifiedThroughCounter(app: TestApp) {
  const { token } = await withGrant(app);
  const counter = countingKv(app);
  const counted = counter.kv;
  const now = Date.now();
  await verifyLocalAccessToken(counted, token, RESOURCE, now);
  return { token, counter, counted, now };
}

Deno.test("a token naming an unknown key is refused after at most one more read of the keys", async () => {
  using app = await createTestApp({ tuning: TUNED });
  const { token, counter, counted, now } = await verifiedThroughCounter(app);
  const cases: [unknown, number][] = [
    [`local-${crypto.randomUUID()}`, 1],
    ["elsewhere", 0],
    [42, 0],
    [undefined, 0],
  ];
  for (const [kid, expectedReads] of cases) {
    counter.reads = 0;
    await assert.rejects(
      verifyLocalAccessToken(counted, withKid(token, kid), RESOURCE, now),
      InvalidTokenError,
      String(kid),
    );
    assert.equal(counter.reads, expectedReads, `reads for kid ${String(kid)}`);
  }
});

Deno.test("tokens naming unknown keys read the keys at most once per cooldown, and keep the verified tokens", async () => {
  using app = await createTestApp({ tuning: TUNED });
  const { token, counter, counted, now } = await verifiedThroughCounter(app);
  assert.equal(rememberedTokenCount(counted), 1);
  const attempt = async (at: number) => {
    counter.reads = 0;
    await assert.rejects(
      verifyLocalAccessToken(counted, withKid(token, `local-${crypto.randomUUID()}`), RESOURCE, at),
      InvalidTokenError,
    );
    return counter.reads;
  };
  assert.equal(await attempt(now), 1, "the first unknown key id reads the keys");
  for (let i = 1; i <= 20; i++) {
    assert.equal(await attempt(now + i), 0, "then none within the cooldown");
  }
  assert.equal(await attempt(now + UNKNOWN_KID_COOLDOWN_MS), 1, "one more after it");
  assert.equal(rememberedTokenCount(counted), 1, "the verified token is still remembered");
  counter.reads = 0;
  await verifyLocalAccessToken(counted, token, RESOURCE, now + UNKNOWN_KID_COOLDOWN_MS);
  assert.equal(counter.reads, 1, "only its grant is read");
});

Deno.test("a remembered token's grant is read again after GRANT_RECHECK_MS or a change of its user here", async () => {
  using app = await createTestApp({ tuning: TUNED });
  const { token, counter, counted, now } = await verifiedThroughCounter(app);
  counter.reads = 0;
  await verifyLocalAccessToken(counted, token, RESOURCE, now + GRANT_RECHECK_MS - 1);
  assert.equal(counter.reads, 0, "within the window: no read");
  await verifyLocalAccessToken(counted, token, RESOURCE, now + GRANT_RECHECK_MS);
  assert.equal(counter.reads, 1, "after it: one read");
  noteLocalChange(counted, decodeJwt(token).sub!);
  await verifyLocalAccessToken(counted, token, RESOURCE, now + GRANT_RECHECK_MS);
  assert.equal(counter.reads, 2, "after a change of the user in this isolate: one read");
  await verifyLocalAccessToken(counted, token, RESOURCE, now + GRANT_RECHECK_MS - 1);
  assert.equal(counter.reads, 3, "a clock that went back: one read");
});

Deno.test("keys read along with a remembered token's grant come from the same one read, and a revoked grant hands none over", async () => {
  using app = await createTestApp({ tuning: TUNED });
  const { token, counter, counted, now } = await verifiedThroughCounter(app);
  const { sub } = decodeJwt(token);
  await app.kv.set(["along", sub!], "the caller's entry");
  const along: ReadAlong = { keys: (userId) => [["along", userId]] };
  counter.reads = 0;
  const grant = await verifyLocalAccessToken(counted, token, RESOURCE, now, along);
  assert.equal(counter.reads, 1, "the grant and the caller's key in one read");
  assert.equal(grant.userId, sub);
  assert.deepEqual(along.entries?.map((entry) => entry.value), ["the caller's entry"]);

  const { grant_id, client_id } = decodeJwt(token);
  await revokeGrant(counted, sub!, client_id as string, grant_id as string); // this isolate's
  const refused: ReadAlong = { keys: (userId) => [["along", userId]] };
  await assert.rejects(
    verifyLocalAccessToken(counted, token, RESOURCE, now, refused),
    InvalidTokenError,
  );
  assert.equal(refused.entries, undefined);
});
