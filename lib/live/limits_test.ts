import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../config.ts";
import { TooManyRequestsError } from "../errors.ts";
import { createStreamSlots } from "./limits.ts";

Deno.test("LIVE_* settings default to 10 per user, 5000 in all, a 20 s heartbeat", () => {
  assert.deepEqual(parseConfig({}).live, {
    maxStreamsPerUser: 10,
    maxStreams: 5000,
    heartbeatMs: 20_000,
  });
  assert.deepEqual(
    parseConfig({
      LIVE_MAX_STREAMS_PER_USER: "3",
      LIVE_MAX_STREAMS: "40",
      LIVE_HEARTBEAT_SECONDS: "5",
    }).live,
    { maxStreamsPerUser: 3, maxStreams: 40, heartbeatMs: 5000 },
  );
});

Deno.test("a bad LIVE_* setting stops start-up naming it", () => {
  for (
    const [name, value] of [
      ["LIVE_MAX_STREAMS_PER_USER", "0"],
      ["LIVE_MAX_STREAMS_PER_USER", "ten"],
      ["LIVE_MAX_STREAMS", "-1"],
      ["LIVE_HEARTBEAT_SECONDS", "301"],
      ["LIVE_HEARTBEAT_SECONDS", "1.5"],
    ]
  ) {
    assert.throws(
      () => parseConfig({ [name]: value }),
      (error) => error instanceof ConfigError && error.message.includes(name),
      `${name}=${value}`,
    );
  }
});

Deno.test("createStreamSlots() caps streams per user and in all, and frees each slot once", () => {
  const slots = createStreamSlots({ maxStreamsPerUser: 2, maxStreams: 3, heartbeatMs: 1000 });
  const a1 = slots.acquire("a");
  slots.acquire("a");
  assert.throws(() => slots.acquire("a"), TooManyRequestsError);
  slots.acquire("b");
  assert.throws(() => slots.acquire("c"), /as many live streams/);
  assert.equal(slots.open, 3);
  a1();
  a1(); // a second call frees nothing more
  assert.equal(slots.open, 2);
  slots.acquire("c");
  assert.throws(() => slots.acquire("a"), TooManyRequestsError);
});
