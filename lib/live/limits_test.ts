import assert from "node:assert/strict";
import { TooManyRequestsError } from "../errors.ts";
import { createStreamSlots } from "./limits.ts";

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
