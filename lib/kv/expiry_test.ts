import assert from "node:assert/strict";
import { backstopExpireIn, CLOCK_JUMP_ALLOWANCE_MS, expireIn } from "./expiry.ts";

Deno.test("backstopExpireIn() is the time left plus the allowance, never less than it", () => {
  assert.equal(backstopExpireIn(1_000 + 500, 1_000), 500 + CLOCK_JUMP_ALLOWANCE_MS);
  assert.equal(backstopExpireIn(900, 1_000), 1 + CLOCK_JUMP_ALLOWANCE_MS, "already past");
  assert.equal(expireIn(900, 1_000), 1, "KV rejects a zero expireIn");
});
