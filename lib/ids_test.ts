import assert from "node:assert/strict";
import { ID_PATTERN, newId } from "./ids.ts";

Deno.test("newId() makes 26-character ids that sort by time, then by creation within a millisecond", () => {
  const early = newId(Date.UTC(2020, 0, 1));
  const sameMs = Array.from({ length: 100 }, () => newId(Date.UTC(2024, 0, 1)));
  const later = newId(Date.UTC(2025, 0, 1));
  const all = [early, ...sameMs, later];
  for (const id of all) assert.match(id, ID_PATTERN);
  assert.deepEqual(all.toSorted(), all);
  assert.equal(new Set(all).size, all.length);
});

Deno.test("newId() carries 80 random bits: ids made in different milliseconds differ after the time", () => {
  const a = newId(Date.UTC(2030, 0, 1));
  const b = newId(Date.UTC(2030, 0, 1) + 1);
  assert.notEqual(a.slice(10), b.slice(10));
});

Deno.test("ID_PATTERN rejects lowercase, wrong length and excluded letters", () => {
  for (
    const bad of [
      "",
      "01arz3ndektsv4rrffq69g5fav",
      "01ARZ3NDEKTSV4RRFFQ69G5FA",
      "01ARZ3NDEKTSV4RRFFQ69G5FAI",
      "81ARZ3NDEKTSV4RRFFQ69G5FAV",
    ]
  ) {
    assert.doesNotMatch(bad, ID_PATTERN, bad);
  }
});
