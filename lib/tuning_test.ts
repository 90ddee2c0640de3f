import assert from "node:assert/strict";
import { TUNING } from "./tuning.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

Deno.test("every limit and cap lets at least one request or stream through", () => {
  for (const [name, value] of Object.entries({ ...TUNING.rateLimits, ...TUNING.live })) {
    assert.ok(Number.isInteger(value) && value >= 1, `${name} is ${value}`);
  }
  assert.ok(TUNING.live.maxStreamsPerUser <= TUNING.live.maxStreams);
  assert.ok(TUNING.rateLimits.registrationsPerMinute <= TUNING.rateLimits.registrationsPerDay);
});

Deno.test("a signing key signs for at least a day, and a rotated refresh token's grace is under a minute", () => {
  // The previous key must outlive every token it signed (an hour each).
  assert.ok(TUNING.tokens.signingKeyRotationMs >= DAY_MS);
  assert.ok(TUNING.tokens.refreshReuseGraceMs >= 0 && TUNING.tokens.refreshReuseGraceMs <= 60_000);
});

Deno.test("the heartbeat is between a second and five minutes, so proxies keep streams open", () => {
  assert.ok(TUNING.live.heartbeatMs >= 1000 && TUNING.live.heartbeatMs <= 300_000);
});

Deno.test("the tuning cannot be changed at run time", () => {
  assert.throws(() => {
    (TUNING.live as { heartbeatMs: number }).heartbeatMs = 1;
  }, TypeError);
  assert.equal(Object.isFrozen(TUNING.rateLimits) && Object.isFrozen(TUNING.tokens), true);
});
