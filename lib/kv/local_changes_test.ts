import assert from "node:assert/strict";
import {
  commitNoted,
  isUnchangedSince,
  MAX_NOTED_USERS,
  noteLocalChange,
  readTicket,
} from "./local_changes.ts";

Deno.test("a read is unchanged until a change of its user is noted after its ticket", async () => {
  using kv = await Deno.openKv(":memory:");
  noteLocalChange(kv, "alice");
  const ticket = readTicket(kv);
  assert.ok(isUnchangedSince(kv, "alice", ticket), "a change before the read began");
  noteLocalChange(kv, "bob");
  assert.ok(isUnchangedSince(kv, "alice", ticket), "another user's change");
  noteLocalChange(kv, "alice");
  assert.ok(!isUnchangedSince(kv, "alice", ticket), "a change after the read began");
  assert.ok(isUnchangedSince(kv, "alice", readTicket(kv)), "a read begun after it");
});

Deno.test("changes are noted per KV handle", async () => {
  using mine = await Deno.openKv(":memory:");
  using other = await Deno.openKv(":memory:");
  const ticket = readTicket(mine);
  noteLocalChange(other, "alice");
  assert.ok(isUnchangedSince(mine, "alice", ticket));
});

Deno.test("past MAX_NOTED_USERS, a read older than a dropped note counts as changed", async () => {
  using kv = await Deno.openKv(":memory:");
  const early = readTicket(kv);
  noteLocalChange(kv, "first");
  const middle = readTicket(kv);
  for (let i = 0; i < MAX_NOTED_USERS; i++) noteLocalChange(kv, `user-${i}`);
  assert.ok(!isUnchangedSince(kv, "someone else", early), "may have missed the dropped note");
  assert.ok(isUnchangedSince(kv, "someone else", middle), "began after the dropped note");
  assert.ok(!isUnchangedSince(kv, "user-0", middle), "a kept note still counts");
});

Deno.test("commitNoted() notes the change whether the commit succeeds, fails or throws", async () => {
  using kv = await Deno.openKv(":memory:");
  let ticket = readTicket(kv);
  assert.ok((await commitNoted(kv, "alice", kv.atomic().set(["a"], 1))).ok);
  assert.ok(!isUnchangedSince(kv, "alice", ticket), "committed");
  ticket = readTicket(kv);
  const stale = kv.atomic().check({ key: ["a"], versionstamp: null }).set(["a"], 2);
  assert.ok(!(await commitNoted(kv, "alice", stale)).ok);
  assert.ok(!isUnchangedSince(kv, "alice", ticket), "refused");
  ticket = readTicket(kv);
  const tooBig = kv.atomic().set(["big"], "x".repeat(70_000));
  await assert.rejects(commitNoted(kv, "alice", tooBig));
  assert.ok(!isUnchangedSince(kv, "alice", ticket), "thrown");
});
