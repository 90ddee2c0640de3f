import assert from "node:assert/strict";
import { createTodo } from "../todos/mod.ts";
import { openWatchCount, watchTodoChanges } from "./changes.ts";
import { waitFor } from "../testing/wait.ts";

Deno.test("watchTodoChanges() shares one watch per user and reports each change's count", async () => {
  using kv = await Deno.openKv(":memory:");
  const seen: Record<string, number[]> = { a1: [], a2: [], b: [] };
  const stopA1 = watchTodoChanges(kv, "a", (v) => seen.a1.push(v));
  const stopA2 = watchTodoChanges(kv, "a", (v) => seen.a2.push(v));
  const stopB = watchTodoChanges(kv, "b", (v) => seen.b.push(v));
  assert.equal(openWatchCount(kv), 2);
  await createTodo(kv, "a", "one");
  await waitFor(() => seen.a1.includes(1) && seen.a2.includes(1), "both of a's listeners", 20);
  await createTodo(kv, "a", "two");
  await waitFor(() => seen.a1.includes(2), "the second change", 20);
  assert.ok(seen.b.every((v) => v === 0), "b's listener hears only b's count (0)");
  stopA1();
  assert.equal(openWatchCount(kv), 2, "a's watch stays while a listener is left");
  stopA2();
  stopB();
  assert.equal(openWatchCount(kv), 0);
});

Deno.test("watchTodoChanges() says when its watch ends (the KV closed) and drops its listeners", async () => {
  const kv = await Deno.openKv(":memory:");
  let ended: unknown = null;
  watchTodoChanges(kv, "a", () => {}, (error) => ended = error ?? "ended");
  await new Promise((r) => setTimeout(r, 50));
  kv.close();
  await waitFor(() => ended !== null, "onEnd called", 20);
  assert.equal(openWatchCount(kv), 0);
});
