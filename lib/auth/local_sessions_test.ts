import assert from "node:assert/strict";
import {
  createSession,
  deleteSession,
  findOrCreateLocalUser,
  getSessionUser,
  normalizeEmail,
  sessionKey,
  sha256Hex,
} from "./local_sessions.ts";
import { ValidationError } from "../errors.ts";

Deno.test("findOrCreateLocalUser() returns the same user for the same email, even when racing", async () => {
  using kv = await Deno.openKv(":memory:");
  const users = await Promise.all(
    Array.from({ length: 10 }, () => findOrCreateLocalUser(kv, "a@example.com")),
  );
  assert.equal(new Set(users.map((u) => u.id)).size, 1);
  assert.match(users[0].id, /^user-local-/);
  const other = await findOrCreateLocalUser(kv, "b@example.com");
  assert.notEqual(other.id, users[0].id);
});

Deno.test("normalizeEmail() lower-cases and rejects what is not an email", () => {
  assert.equal(normalizeEmail("  Alice@Example.COM "), "alice@example.com");
  for (const bad of ["", "alice", "@example.com", 42, null, `${"a".repeat(250)}@example.com`]) {
    assert.throws(() => normalizeEmail(bad), ValidationError);
  }
});

Deno.test("sessions are stored by token hash and end on deleteSession()", async () => {
  using kv = await Deno.openKv(":memory:");
  const user = await findOrCreateLocalUser(kv, "a@example.com");
  const token = await createSession(kv, user);
  assert.equal((await kv.get(["sessions", token])).value, null);
  assert.notEqual((await kv.get(sessionKey(await sha256Hex(token)))).value, null);
  assert.deepEqual(await getSessionUser(kv, token), { id: user.id, email: user.email });
  assert.equal(
    await getSessionUser(kv, token.slice(0, -1) + (token.endsWith("A") ? "B" : "A")),
    null,
  );
  await deleteSession(kv, token);
  assert.equal(await getSessionUser(kv, token), null);
});

Deno.test("getSessionUser() refuses an expired session even before KV drops it", async () => {
  using kv = await Deno.openKv(":memory:");
  const user = await findOrCreateLocalUser(kv, "a@example.com");
  const token = await createSession(kv, user);
  const key = sessionKey(await sha256Hex(token));
  const stored = (await kv.get<{ expiresAt: number }>(key)).value!;
  await kv.set(key, { ...stored, expiresAt: Date.now() - 1 });
  assert.equal(await getSessionUser(kv, token), null);
});
