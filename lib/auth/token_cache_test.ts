import assert from "node:assert/strict";
import { cachedUntil, VerifiedTokenCache } from "./token_cache.ts";

Deno.test("VerifiedTokenCache forgets a token at its expiry", () => {
  const cache = new VerifiedTokenCache<string>();
  cache.set("token", "grant", 2000);
  assert.equal(cache.get("token", 1999), "grant");
  assert.equal(cache.get("token", 2000), undefined);
  assert.equal(cache.count, 0, "an expired token is dropped, not kept");
  assert.equal(cache.get("unknown", 0), undefined);
});

Deno.test("VerifiedTokenCache holds at most its size, dropping the least recently used", () => {
  const cache = new VerifiedTokenCache<number>(2);
  cache.set("a", 1, Infinity);
  cache.set("b", 2, Infinity);
  assert.equal(cache.get("a"), 1); // "b" is now the least recently used
  cache.set("c", 3, Infinity);
  assert.equal(cache.count, 2);
  assert.equal(cache.get("b"), undefined);
  assert.deepEqual([cache.get("a"), cache.get("c")], [1, 3]);
  cache.delete("a");
  assert.equal(cache.get("a"), undefined);
});

Deno.test("cachedUntil() trusts a payload until its exp, and one without exp not at all", () => {
  assert.equal(cachedUntil({ exp: 1_700_000_000 }), 1_700_000_000_000);
  assert.equal(cachedUntil({}), 0);
});
