import assert from "node:assert/strict";
import { TooManyRequestsError } from "../errors.ts";
import { storedExpiry } from "../testing/remote.ts";
import {
  consumeRateLimit,
  enforceRateLimit,
  rateLimitKeys,
  type RateLimitRule,
} from "./rate_limit.ts";

const RULE: RateLimitRule = { name: "test", limit: 3, windowMs: 60_000, what: "tries" };
/** 10 s into a minute window. */
const T0 = Date.UTC(2026, 0, 1, 12, 0, 10);

Deno.test("consumeRateLimit() lets `limit` requests through per window, then refuses with the seconds left", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let n = 1; n <= 3; n++) {
    const decision = await consumeRateLimit(kv, RULE, "192.0.2.1", T0 + n);
    assert.deepEqual(decision, { allowed: true, count: n, retryAfterSeconds: 50 });
  }
  const refused = await consumeRateLimit(kv, RULE, "192.0.2.1", T0 + 49_500);
  assert.deepEqual(refused, { allowed: false, count: 3, retryAfterSeconds: 1 });
});

Deno.test("consumeRateLimit() starts counting again when the window rolls over", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let n = 0; n < 3; n++) await consumeRateLimit(kv, RULE, "192.0.2.1", T0);
  assert.equal((await consumeRateLimit(kv, RULE, "192.0.2.1", T0 + 49_999)).allowed, false);
  const next = await consumeRateLimit(kv, RULE, "192.0.2.1", T0 + 50_000);
  assert.deepEqual(next, { allowed: true, count: 1, retryAfterSeconds: 60 });
});

Deno.test("consumeRateLimit() counts each subject and each rule apart", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let n = 0; n < 3; n++) await consumeRateLimit(kv, RULE, "192.0.2.1", T0);
  assert.equal((await consumeRateLimit(kv, RULE, "192.0.2.1", T0)).allowed, false);
  assert.equal((await consumeRateLimit(kv, RULE, "192.0.2.2", T0)).allowed, true);
  assert.equal(
    (await consumeRateLimit(kv, { ...RULE, name: "other" }, "192.0.2.1", T0)).allowed,
    true,
  );
});

Deno.test("50 concurrent consumeRateLimit() calls let exactly the limit through", async () => {
  using kv = await Deno.openKv(":memory:");
  const rule = { ...RULE, limit: 20 };
  for (let round = 0; round < 3; round++) {
    const now = T0 + round * 60_000;
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => consumeRateLimit(kv, rule, "192.0.2.1", now)),
    );
    const allowed = decisions.filter((d) => d.allowed).length;
    assert.equal(allowed, 20, `${allowed} of 50 let through`);
    const stored = await kv.get<Deno.KvU64>(
      rateLimitKeys.counter("test", "192.0.2.1", now - 10_000),
    );
    assert.equal(
      Number(stored.value?.value),
      allowed,
      "the counter holds exactly those let through",
    );
  }
});

Deno.test("a full window's refusals write nothing", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let n = 0; n < 3; n++) await consumeRateLimit(kv, RULE, "192.0.2.1", T0);
  const key = rateLimitKeys.counter("test", "192.0.2.1", T0 - 10_000);
  const before = (await kv.get(key)).versionstamp;
  for (let n = 0; n < 5; n++) await consumeRateLimit(kv, RULE, "192.0.2.1", T0);
  assert.equal((await kv.get(key)).versionstamp, before);
});

Deno.test("a counter expires a minute after its window ends (Deno KV keeps no expiry on sum())", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite3`;
  try {
    const now = Date.now();
    {
      using kv = await Deno.openKv(path);
      await consumeRateLimit(kv, RULE, "subject-expiry-check", now);
      await consumeRateLimit(kv, RULE, "subject-expiry-check", now);
    }
    const windowEnd = now - (now % 60_000) + 60_000;
    const expiry = await storedExpiry(path, "subject-expiry-check");
    assert.ok(expiry !== null && expiry > 0, `stored with an expiry, got ${expiry}`);
    assert.ok(Math.abs(expiry - (windowEnd + 60_000)) < 5_000, `expires at ${expiry}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("enforceRateLimit() throws TooManyRequestsError with Retry-After seconds and stops at the first refusing rule", async () => {
  using kv = await Deno.openKv(":memory:");
  const perMinute = { ...RULE, limit: 1 };
  const perDay = { name: "test_day", limit: 5, windowMs: 86_400_000, what: "tries today" };
  const limit = { subject: "192.0.2.1", rules: [perMinute, perDay] };
  await enforceRateLimit(kv, limit, T0);
  const error = await enforceRateLimit(kv, limit, T0 + 1000).then(() => null, (e) => e);
  assert.ok(error instanceof TooManyRequestsError);
  assert.equal(error.status, 429);
  assert.equal(error.retryAfterSeconds, 49);
  assert.match(error.message, /^Too many tries from your address\. Try again in 49 seconds\.$/);
  const day = await kv.get<Deno.KvU64>(
    rateLimitKeys.counter("test_day", "192.0.2.1", T0 - (T0 % 86_400_000)),
  );
  assert.equal(Number(day.value?.value), 1, "the refused request was not counted for the day");
});
