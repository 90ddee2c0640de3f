import assert from "node:assert/strict";
import { cachedUntil, entryBytes, VerifiedTokenCache } from "./token_cache.ts";

Deno.test("VerifiedTokenCache forgets a token at its expiry", () => {
  const cache = new VerifiedTokenCache<string>();
  cache.set("token", "grant", 2000);
  assert.equal(cache.get("token", 1999), "grant");
  assert.equal(cache.get("token", 2000), undefined);
  assert.equal(cache.count, 0, "an expired token is dropped, not kept");
  assert.equal(cache.get("unknown", 0), undefined);
});

Deno.test("VerifiedTokenCache holds at most its bytes, dropping the least recently used", () => {
  const cache = new VerifiedTokenCache<number>(entryBytes("a", 1) * 2);
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

Deno.test("verified tokens of many clients stay within the byte budget, counted as key and JSON", () => {
  const budget = 16 * 1024;
  const cache = new VerifiedTokenCache<{ grant: Record<string, unknown>; kid: string }>(budget);
  const entries = Array.from({ length: 40 }, (_, i) => {
    const key = `https://todos.example/mcp eyJ${"x".repeat(700 + i)}`;
    const value = {
      grant: { userId: `user-${i}`, clientId: `client-${i}`, scopes: ["read:todos"] },
      kid: "k1",
    };
    cache.set(key, value, Infinity);
    return { key, bytes: key.length + JSON.stringify(value).length };
  });
  const { bytes } = cache.stats;
  assert.ok(bytes <= budget, `${bytes} bytes kept, bound ${budget}`);
  let kept = 0;
  let count = 0;
  for (const entry of entries.toReversed()) {
    if (kept + entry.bytes > budget) break;
    kept += entry.bytes;
    count++;
  }
  assert.equal(bytes, kept);
  assert.equal(cache.count, count);
  assert.ok(count > 1 && count < entries.length, "the bound decides");
});
