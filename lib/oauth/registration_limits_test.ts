/**
 * Bounds on open client registration: per-address rate limits (429), the cap on stored
 * registrations (503), and the expiry of registrations nobody uses.
 */
import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "../testing/app.ts";
import { awayFromMinuteBoundary, requestFrom, storedExpiry } from "../testing/remote.ts";
import { UNUSED_CLIENT_TTL_MS } from "./client_lookup.ts";
import { OAuthError } from "./errors.ts";
import { registerClient, REGISTRATION_BUCKET_MS } from "./registration.ts";
import { REDIRECT_URI } from "../testing/oauth.ts";

const METADATA = { client_name: "Loop", redirect_uris: [REDIRECT_URI] };
const SCOPES = ["read:todos", "write:todos"];
const DAY_MS = 24 * 60 * 60 * 1000;

function register(app: TestApp, ip: string, headers: Record<string, string> = {}) {
  return requestFrom(app, ip, "/oauth/register", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(METADATA),
  });
}

async function count(kv: Deno.Kv, prefix: string): Promise<number> {
  return (await Array.fromAsync(kv.list({ prefix: [prefix] }))).length;
}

/** Status of a response, its body cancelled. */
async function statusOf(response: Response): Promise<number> {
  await response.body?.cancel();
  return response.status;
}

Deno.test("POST /oauth/register answers 429 with Retry-After after 20 a minute from one address, while another address still registers", async () => {
  using app = await createTestApp();
  await awayFromMinuteBoundary();
  for (let n = 0; n < 20; n++) {
    assert.equal(await statusOf(await register(app, "203.0.113.7")), 201);
  }
  const refused = await register(app, "203.0.113.7");
  assert.equal(refused.status, 429);
  const retryAfter = Number(refused.headers.get("Retry-After"));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `${retryAfter}`);
  assert.equal(refused.headers.get("Cache-Control"), "no-store");
  const body = await refused.json();
  assert.equal(body.error, "temporarily_unavailable");
  assert.match(body.error_description, /^Too many client registrations from your address\./);
  assert.equal(await count(app.kv, "oauth_clients"), 20, "the refused registration stored nothing");
  assert.equal(await statusOf(await register(app, "198.51.100.9")), 201);
  // A /64 is one client: another address in it is refused too.
  for (let n = 0; n < 20; n++) await statusOf(await register(app, "2001:db8:1:2::1"));
  assert.equal(await statusOf(await register(app, "2001:db8:1:2::ffff")), 429);
  assert.equal(await statusOf(await register(app, "2001:db8:1:3::1")), 201);
});

Deno.test("registration limits read X-Forwarded-For only with TRUSTED_PROXY", async () => {
  await awayFromMinuteBoundary();
  const tuning = { rateLimits: { registrationsPerMinute: 2 } };
  {
    using app = await createTestApp({ tuning });
    // Without TRUSTED_PROXY a forged header is no way around the limit.
    for (const forged of ["198.51.100.1", "198.51.100.2"]) {
      assert.equal(
        await statusOf(await register(app, "10.0.0.2", { "X-Forwarded-For": forged })),
        201,
      );
    }
    const third = await register(app, "10.0.0.2", { "X-Forwarded-For": "198.51.100.3" });
    assert.equal(await statusOf(third), 429);
  }
  {
    using app = await createTestApp({ env: { TRUSTED_PROXY: "1" }, tuning });
    const via = (client: string) => register(app, "10.0.0.2", { "X-Forwarded-For": client });
    assert.equal(await statusOf(await via("198.51.100.1")), 201);
    assert.equal(await statusOf(await via("198.51.100.1")), 201);
    assert.equal(await statusOf(await via("198.51.100.1")), 429);
    assert.equal(await statusOf(await via("198.51.100.2")), 201, "each client its own bucket");
    // Left of the proxy's entry is the client's to write: not a way out.
    assert.equal(await statusOf(await via("203.0.113.50, 198.51.100.1")), 429);
  }
});

Deno.test("registrations per address per day are limited too", async () => {
  using app = await createTestApp({ tuning: { rateLimits: { registrationsPerDay: 3 } } });
  for (let n = 0; n < 3; n++) assert.equal(await statusOf(await register(app, "203.0.113.7")), 201);
  const refused = await register(app, "203.0.113.7");
  assert.equal(refused.status, 429);
  assert.match((await refused.json()).error_description, /registrations today/);
  assert.equal(await statusOf(await register(app, "203.0.113.8")), 201);
});

Deno.test("at the registration cap a registration gets 503 temporarily_unavailable and stores nothing", async () => {
  using app = await createTestApp({ tuning: { rateLimits: { maxRegistrationsPerDay: 3 } } });
  for (const ip of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) {
    assert.equal(await statusOf(await register(app, ip)), 201);
  }
  const before = await Array.fromAsync(app.kv.list({ prefix: ["oauth_registrations"] }));
  const refused = await register(app, "203.0.113.4");
  assert.equal(refused.status, 503);
  const retryAfter = Number(refused.headers.get("Retry-After"));
  assert.ok(retryAfter >= 1 && retryAfter <= REGISTRATION_BUCKET_MS / 1000, `${retryAfter}`);
  const body = await refused.json();
  assert.equal(body.error, "temporarily_unavailable");
  assert.match(body.error_description, /as many new clients as it accepts in a day/);
  assert.equal(await count(app.kv, "oauth_clients"), 3);
  assert.deepEqual(await Array.fromAsync(app.kv.list({ prefix: ["oauth_registrations"] })), before);
});

Deno.test("the registration cap counts the last day's registrations, not older ones", async () => {
  using kv = await Deno.openKv(":memory:");
  const t = Date.UTC(2026, 0, 1, 13);
  await registerClient(kv, METADATA, SCOPES, 2, t);
  await registerClient(kv, METADATA, SCOPES, 2, t + 1000);
  await assert.rejects(registerClient(kv, METADATA, SCOPES, 2, t + 2000), OAuthError);
  // Still within a day of the first two: a client unused since then may still be stored.
  await assert.rejects(registerClient(kv, METADATA, SCOPES, 2, t + DAY_MS - 1000), OAuthError);
  // Their bucket has left the day: both are gone (unused clients live a day).
  const later = t + DAY_MS + REGISTRATION_BUCKET_MS;
  const response = await registerClient(kv, METADATA, SCOPES, 2, later);
  assert.match(response.client_id, /^mcp-client-/);
});

Deno.test("concurrent registrations never store more clients than the cap", async () => {
  using kv = await Deno.openKv(":memory:");
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, () => registerClient(kv, METADATA, SCOPES, 5)),
  );
  const stored = await count(kv, "oauth_clients");
  const accepted = results.filter((r) => r.status === "fulfilled").length;
  assert.ok(stored <= 5, `${stored} stored`);
  assert.equal(stored, accepted, "every accepted registration is stored, no refused one is");
  for (const result of results) {
    if (result.status === "rejected") {
      assert.ok(result.reason instanceof OAuthError);
      assert.equal(result.reason.status, 503);
    }
  }
});

Deno.test("a registered client nobody uses is stored to expire a day later, its count with its bucket", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite3`;
  try {
    const now = Date.now();
    let clientId;
    {
      using kv = await Deno.openKv(path);
      clientId = (await registerClient(kv, METADATA, SCOPES, 10, now)).client_id;
    }
    const clientExpiry = await storedExpiry(path, clientId);
    assert.ok(clientExpiry !== null && clientExpiry > 0, `client expiry ${clientExpiry}`);
    assert.ok(Math.abs(clientExpiry - (now + UNUSED_CLIENT_TTL_MS)) < 5_000, `${clientExpiry}`);
    const countExpiry = await storedExpiry(path, "oauth_registrations");
    const bucketEnd = (Math.floor(now / REGISTRATION_BUCKET_MS) + 1) * REGISTRATION_BUCKET_MS;
    assert.equal(countExpiry !== null && countExpiry > 0, true, `count expiry ${countExpiry}`);
    assert.ok(Math.abs(countExpiry! - (bucketEnd + UNUSED_CLIENT_TTL_MS)) < 5_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
