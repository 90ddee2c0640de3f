import assert from "node:assert/strict";
import { WriteConflictError } from "../../errors.ts";
import { MAX_WRITE_ATTEMPTS } from "../../kv/retry.ts";
import {
  consentFormKey,
  type PendingAuthorization,
  savePendingAuthorization,
  takePendingAuthorization,
} from "./consent_forms.ts";

const NOW = Date.UTC(2026, 0, 1, 12);

function form(userId: string, expiresAt = NOW + 60_000): PendingAuthorization {
  return {
    userId,
    request: {
      clientId: "mcp-client-00000000-0000-0000-0000-000000000000",
      redirectUri: "http://127.0.0.1:3000/callback",
      state: null,
      scopes: ["todos:read"],
      codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      resource: "http://localhost:8000/mcp",
    },
    expiresAt,
  };
}

/**
 * `kv` as seen by an isolate racing another one that writes every record back right after
 * this isolate reads it, so each of its checked commits loses; counts the reads.
 */
function racedByAnotherWriter(kv: Deno.Kv): { kv: Deno.Kv; reads: () => number } {
  let reads = 0;
  const raced = new Proxy(kv, {
    get(target, name) {
      if (name === "get") {
        return async (key: Deno.KvKey) => {
          const entry = await target.get(key);
          reads++;
          if (entry.value !== null) await target.set(key, entry.value);
          return entry;
        };
      }
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: raced, reads: () => reads };
}

Deno.test("takePendingAuthorization() takes a live form once, and only for its user", async () => {
  using kv = await Deno.openKv(":memory:");
  await savePendingAuthorization(kv, "hash-a", form("user-a"), NOW);
  assert.equal(await takePendingAuthorization(kv, "hash-a", "user-b", NOW), null);
  assert.ok((await kv.get(consentFormKey("hash-a"))).value, "another user's attempt leaves it");
  assert.deepEqual(await takePendingAuthorization(kv, "hash-a", "user-a", NOW), form("user-a"));
  assert.equal(await takePendingAuthorization(kv, "hash-a", "user-a", NOW), null, "used");
  await savePendingAuthorization(kv, "hash-b", form("user-a", NOW + 1), NOW);
  assert.equal(await takePendingAuthorization(kv, "hash-b", "user-a", NOW + 1), null, "expired");
});

Deno.test("takePendingAuthorization() throws WriteConflictError, not null, when it keeps losing the race", async () => {
  using kv = await Deno.openKv(":memory:");
  await savePendingAuthorization(kv, "hash-a", form("user-a"), NOW);
  const raced = racedByAnotherWriter(kv);
  const error = await takePendingAuthorization(raced.kv, "hash-a", "user-a", NOW)
    .then((value) => value, (error) => error);
  assert.ok(error instanceof WriteConflictError, `got ${Deno.inspect(error)}`);
  assert.equal(error.code, "write_conflict");
  assert.equal(raced.reads(), MAX_WRITE_ATTEMPTS);
  assert.ok((await kv.get(consentFormKey("hash-a"))).value, "the form is still there");
});
