import assert from "node:assert/strict";
import { ServiceUnavailableError } from "../errors.ts";
import { findOrCreateAccount, type LocalAccount, localUserKey } from "./local_accounts.ts";
import { CLOCK_JUMP_ALLOWANCE_MS } from "../kv/expiry.ts";
import { storedExpiry } from "../testing/remote.ts";
import {
  createSession,
  findOrCreateLocalUser,
  getSessionUser,
  SESSION_TTL_MS,
  sha256Hex,
  UNUSED_ACCOUNT_TTL_MS,
} from "./local_sessions.ts";

const DAY = 24 * 60 * 60 * 1000;
const limits = (max: number, now = Date.now()) => ({
  unusedTtlMs: UNUSED_ACCOUNT_TTL_MS,
  max,
  now,
});

Deno.test("new accounts stop at the cap with a 503; existing accounts still sign in", async () => {
  using kv = await Deno.openKv(":memory:");
  const first = await findOrCreateAccount(kv, "a@example.com", limits(2));
  await findOrCreateAccount(kv, "b@example.com", limits(2));
  await assert.rejects(
    () => findOrCreateAccount(kv, "c@example.com", limits(2)),
    (error) =>
      error instanceof ServiceUnavailableError && /existing accounts can still/.test(error.message),
  );
  assert.equal((await kv.get(localUserKey("c@example.com"))).value, null, "nothing stored");
  assert.equal((await findOrCreateAccount(kv, "a@example.com", limits(2))).id, first.id);
});

Deno.test("unused accounts count only while they may live: older days leave the window", async () => {
  using kv = await Deno.openKv(":memory:");
  const longAgo = Date.now() - UNUSED_ACCOUNT_TTL_MS - 3 * DAY;
  await findOrCreateAccount(kv, "old@example.com", limits(1, longAgo));
  // KV has dropped that account by now (its expiry passed); the count of its day no longer counts.
  await kv.delete(localUserKey("old@example.com"));
  await findOrCreateAccount(kv, "new@example.com", limits(1));
  await assert.rejects(() => findOrCreateAccount(kv, "more@example.com", limits(1)));
});

Deno.test("an account is kept for good and counted once its session comes back, once", async () => {
  using kv = await Deno.openKv(":memory:");
  const user = await findOrCreateLocalUser(kv, "ada@example.com");
  assert.equal(user.pending, true);
  const token = await createSession(kv, user);
  const stored = () => kv.get<LocalAccount>(localUserKey("ada@example.com"));
  assert.equal((await stored()).value?.usedAt, undefined, "signing in is not using");

  assert.equal((await getSessionUser(kv, token))?.id, user.id);
  const used = await stored();
  assert.equal(typeof used.value?.usedAt, "number");
  assert.equal((await kv.get<Deno.KvU64>(["local_accounts", "used"])).value?.value, 1n);
  await getSessionUser(kv, token);
  assert.equal((await stored()).versionstamp, used.versionstamp, "no write on later requests");
  assert.equal((await findOrCreateLocalUser(kv, "ada@example.com")).pending, false);

  // A used account counts against the cap for good.
  await assert.rejects(() => findOrCreateAccount(kv, "bob@example.com", limits(1)));
});

Deno.test("on disk: a session's KV expiry is a backstop 30 days past its own; an unused account's is exact", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite3`;
  try {
    const kv = await Deno.openKv(path);
    const before = Date.now();
    const user = await findOrCreateLocalUser(kv, "ada@example.com");
    const token = await createSession(kv, user);
    kv.close();
    const after = Date.now();
    const session = await storedExpiry(path, await sha256Hex(token));
    const account = await storedExpiry(path, "ada@example.com");
    assert.ok(session && account);
    const sessionEnd = SESSION_TTL_MS + CLOCK_JUMP_ALLOWANCE_MS;
    assert.ok(session >= before + sessionEnd && session <= after + sessionEnd, "session");
    assert.ok(
      account >= before + UNUSED_ACCOUNT_TTL_MS && account <= after + UNUSED_ACCOUNT_TTL_MS,
      "unused account: unauthenticated, so no allowance",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
