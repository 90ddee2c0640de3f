import assert from "node:assert/strict";
import { WriteConflictError } from "../errors.ts";
import { MAX_WRITE_ATTEMPTS, RETRY, retryOnConflict } from "./retry.ts";

Deno.test("retryOnConflict() returns the first value an attempt commits", async () => {
  let runs = 0;
  const value = await retryOnConflict(
    "the counter",
    () => Promise.resolve(++runs < 3 ? RETRY : runs),
  );
  assert.equal(value, 3);
  assert.equal(runs, 3);
});

Deno.test("retryOnConflict() throws WriteConflictError naming the data after the last attempt", async () => {
  let runs = 0;
  const error = await retryOnConflict("the todo list", () => {
    runs++;
    return Promise.resolve(RETRY);
  }).catch((e) => e);
  assert.ok(error instanceof WriteConflictError);
  assert.equal(error.status, 409);
  assert.equal(error.code, "write_conflict");
  assert.match(error.message, /^The todo list changed too many times at once/);
  assert.equal(runs, MAX_WRITE_ATTEMPTS);
});

Deno.test("retryOnConflict() keeps concurrent increments of one KV key exact", async () => {
  using kv = await Deno.openKv(":memory:");
  const key = ["counter"];
  const increment = () =>
    retryOnConflict("the counter", async () => {
      const entry = await kv.get<number>(key);
      const result = await kv.atomic().check(entry).set(key, (entry.value ?? 0) + 1).commit();
      return result.ok ? true : RETRY;
    });
  await Promise.all(Array.from({ length: 30 }, increment));
  assert.equal((await kv.get<number>(key)).value, 30);
});
