import assert from "node:assert/strict";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json_depth.ts";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

Deno.test("nestsDeeperThan() counts arrays and objects, not brackets inside strings", () => {
  assert.equal(nestsDeeperThan(nested(MAX_JSON_DEPTH)), false);
  assert.equal(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1)), true);
  assert.equal(nestsDeeperThan('{"a":{"b":[1,{"c":2}]}}', 4), false);
  assert.equal(nestsDeeperThan('{"a":{"b":[1,{"c":[]}]}}', 4), true);
  const inString = JSON.stringify({ text: "[".repeat(1000) + '\\"{{{' });
  assert.equal(nestsDeeperThan(inString, 1), false, "a string's brackets and escaped quotes");
  assert.equal(nestsDeeperThan(JSON.stringify(["\\", "[[["]), 1), false, "an escaped backslash");
});

Deno.test("nestsDeeperThan() answers for a megabyte of nesting and for a flat list of 50,000 objects", () => {
  const text = nested(512 * 1024);
  assert.equal(nestsDeeperThan(text), true);
  const flat = JSON.stringify({ items: Array.from({ length: 50_000 }, (_, i) => ({ i })) });
  assert.equal(nestsDeeperThan(flat), false);
});
