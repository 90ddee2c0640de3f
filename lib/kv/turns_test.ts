import assert from "node:assert/strict";
import { inTurn } from "./turns.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

Deno.test("inTurn() runs tasks of one name one at a time, in order", async () => {
  using kv = await Deno.openKv(":memory:");
  const log: string[] = [];
  let running = 0;
  const task = (n: number) => async () => {
    assert.equal(++running, 1);
    log.push(`start ${n}`);
    await tick();
    log.push(`end ${n}`);
    running--;
    return n;
  };
  const results = await Promise.all([1, 2, 3].map((n) => inTurn(kv, "alice", task(n))));
  assert.deepEqual(results, [1, 2, 3]);
  assert.deepEqual(log, ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
});

Deno.test("inTurn() lets other names and other KV handles run at the same time", async () => {
  using kv = await Deno.openKv(":memory:");
  using other = await Deno.openKv(":memory:");
  let running = 0;
  let most = 0;
  const task = async () => {
    most = Math.max(most, ++running);
    await tick();
    running--;
  };
  await Promise.all([
    inTurn(kv, "alice", task),
    inTurn(kv, "bob", task),
    inTurn(other, "alice", task),
  ]);
  assert.equal(most, 3);
});

Deno.test("inTurn() passes a task's error to its caller and runs the next task", async () => {
  using kv = await Deno.openKv(":memory:");
  const failing = inTurn(kv, "alice", () => Promise.reject(new Error("lost")));
  const next = inTurn(kv, "alice", () => Promise.resolve("ran"));
  await assert.rejects(failing, /lost/);
  assert.equal(await next, "ran");
});
