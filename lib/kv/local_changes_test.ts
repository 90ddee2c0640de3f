import assert from "node:assert/strict";
import {
  isUnchangedSince,
  LOCAL_CHANGE_MEMORY_MS,
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

Deno.test("a change is forgotten LOCAL_CHANGE_MEMORY_MS after it was noted, not before", async () => {
  using kv = await Deno.openKv(":memory:");
  const t0 = Date.now();
  const ticket = readTicket(kv);
  noteLocalChange(kv, "alice", t0);
  noteLocalChange(kv, "bob", t0 + LOCAL_CHANGE_MEMORY_MS);
  assert.ok(!isUnchangedSince(kv, "alice", ticket), "kept for the whole time");
  noteLocalChange(kv, "bob", t0 + LOCAL_CHANGE_MEMORY_MS + 1);
  assert.ok(isUnchangedSince(kv, "alice", ticket), "then forgotten");
  assert.ok(!isUnchangedSince(kv, "bob", ticket), "a newer one is kept");
});
