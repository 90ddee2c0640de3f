import assert from "node:assert/strict";
import { listAfter } from "./todo_answer.ts";

const a = { id: "01A", text: "a", completed: false };
const b = { id: "01B", text: "b", completed: false };
const c = { id: "01C", text: "c", completed: true };

Deno.test("listAfter() puts a created todo after the older ones, keeping only shown fields", () => {
  const created = { ...c, createdAt: "2026-01-01T00:00:00Z", updatedAt: "x" };
  assert.deepEqual(listAfter([a, b], { todo: created }), [a, b, c]);
  // An answer overtaken by a newer todo (another tab) still lands in creation order.
  assert.deepEqual(listAfter([a, c], { todo: b }), [a, b, c]);
  assert.deepEqual(listAfter([], { todo: a }), [a]);
});

Deno.test("listAfter() replaces a changed todo in its place", () => {
  const done = { ...b, text: "b2", completed: true };
  assert.deepEqual(listAfter([a, b, c], { todo: done }), [a, done, c]);
});

Deno.test("listAfter() drops deleted todos and takes a whole list as it is", () => {
  assert.deepEqual(listAfter([a, b, c], { undo: { token: "t", todos: [a, c] } }), [b]);
  assert.deepEqual(listAfter([a], { todos: [b, c] }), [b, c]);
});

Deno.test("listAfter() answers null for answers of no known shape", () => {
  for (const answer of [null, "x", {}, { todo: { id: 1 } }, { undo: { token: "t" } }]) {
    assert.equal(listAfter([a], answer), null, JSON.stringify(answer));
  }
});
