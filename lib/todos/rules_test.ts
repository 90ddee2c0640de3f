import assert from "node:assert/strict";
import { z } from "zod";
import { newId } from "../ids.ts";
import { MAX_TEXT_LENGTH, TodoChanges, TodoId, TodoText } from "./rules.ts";

const message = (schema: z.ZodType, value: unknown) =>
  schema.safeParse(value).error?.issues.map((issue) => issue.message);

Deno.test("TodoText trims, then takes 1 to MAX_TEXT_LENGTH characters counted as code points", () => {
  assert.equal(TodoText.parse("  buy milk \n"), "buy milk");
  assert.equal(TodoText.parse(` ${"x".repeat(MAX_TEXT_LENGTH)} `), "x".repeat(MAX_TEXT_LENGTH));
  assert.equal(TodoText.parse("🙂".repeat(MAX_TEXT_LENGTH)).length, 2 * MAX_TEXT_LENGTH);
  assert.equal(TodoText.parse("tab\tand\nnewline"), "tab\tand\nnewline");
  assert.deepEqual(message(TodoText, " \t "), ["Todo text must not be empty."]);
  assert.deepEqual(message(TodoText, "x".repeat(MAX_TEXT_LENGTH + 1)), [
    `Todo text must be at most ${MAX_TEXT_LENGTH} characters (got ${MAX_TEXT_LENGTH + 1}).`,
  ]);
  assert.deepEqual(message(TodoText, "bell\u0007"), [
    "Todo text must not contain control characters or broken Unicode.",
  ]);
  assert.deepEqual(message(TodoText, 42), [
    `Todo text must be a string of 1 to ${MAX_TEXT_LENGTH} characters.`,
  ]);
});

Deno.test("the rules' JSON Schema states the limits they enforce", () => {
  const text = z.toJSONSchema(TodoText, { io: "input" });
  assert.equal(text.type, "string");
  assert.equal(text.minLength, 1);
  assert.equal(text.maxLength, MAX_TEXT_LENGTH, "JSON Schema counts code points, as the rule");
  const id = z.toJSONSchema(TodoId, { io: "input" });
  assert.ok(new RegExp(id.pattern!).test(newId()));
  assert.equal(new RegExp(id.pattern!).test("01arz3ndektsv4rrffq69g5fav"), false);
});

Deno.test("TodoId names no todo for anything but an id; TodoChanges needs a known change", () => {
  assert.deepEqual(message(TodoId, "../x"), ['No todo with id "../x".']);
  assert.match(message(TodoId, 7)![0], /must be the id of a todo/);
  assert.deepEqual(TodoChanges.parse({ text: " a ", completed: true }), {
    text: "a",
    completed: true,
  });
  assert.deepEqual(message(TodoChanges, {}), ["Send text, completed, or both."]);
  assert.equal(TodoChanges.safeParse({ done: true }).success, false);
});
