import assert from "node:assert/strict";
import { createLocalIdentity, LOCAL_SESSION_COOKIE } from "../auth/local.ts";
import { deleteSession, findOrCreateLocalUser } from "../auth/local_sessions.ts";
import { openWatchCount } from "../live/changes.ts";
import { createStreamSlots, MAX_STREAMS_PER_ADDRESS, streamSlotsFor } from "../live/limits.ts";
import { SLOW_RETRY_MS } from "../live/stream_budget.ts";
import { createTestApp, sessionUser, type TestApp } from "../testing/app.ts";
import { createTodo, type Todo } from "../todos/mod.ts";
import { waitFor } from "../testing/wait.ts";

interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Opens the stream in-process; `next()` waits (up to 5 s) for the next event of any name. */
async function openEvents(t: TestApp, cookie: string | null, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const res = await t.request("/api/todos/events", {
    headers: { ...cookie ? { Cookie: cookie } : {}, Accept: "text/event-stream", ...headers },
    signal: abort.signal,
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const raw: string[] = [];
  async function next(timeoutMs = 5000): Promise<SseEvent | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        raw.push(block);
        const event: SseEvent = { event: "message", data: "" };
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) event.event = line.slice(7);
          else if (line.startsWith("data: ")) event.data += line.slice(6);
          else if (line.startsWith("id: ")) event.id = line.slice(4);
        }
        if (block.split("\n").every((line) => line.startsWith(":") || line.startsWith("retry:"))) {
          continue; // comments and the retry field
        }
        return event;
      }
      const left = deadline - Date.now();
      if (left <= 0) return null;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), left)),
      ]);
      clearTimeout(timer);
      if (chunk === null) return null;
      if (chunk.done) throw new Error("stream ended");
      buffer += chunk.value;
    }
  }
  async function nextTodos(): Promise<{ version: number; todos: Todo[] }> {
    const event = await next();
    assert.equal(event?.event, "todos", `expected a todos event, got ${JSON.stringify(event)}`);
    return JSON.parse(event.data);
  }
  /** True once the server has closed the stream (reads what is left). */
  async function ended(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), 100)),
      ]);
      clearTimeout(timer);
      if (chunk?.done) return true;
      if (chunk) buffer += chunk.value;
    }
    return false;
  }
  return {
    res,
    raw,
    next,
    nextTodos,
    ended,
    get buffer() {
      return buffer;
    },
    async close() {
      abort.abort();
      await reader.cancel().catch(() => {});
    },
  };
}

Deno.test("GET /api/todos/events without a session answers 401 with a JSON error", async () => {
  using t = await createTestApp();
  const res = await t.request("/api/todos/events", { headers: { Accept: "text/event-stream" } });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.code, "unauthorized");
  const forged = await t.request("/api/todos/events", {
    headers: { Cookie: `${LOCAL_SESSION_COOKIE}=${"A".repeat(43)}` },
  });
  assert.equal(forged.status, 401);
  await forged.body?.cancel();
});

Deno.test("the events stream sends the list at once, then each change, uncompressed and unstored", async () => {
  using t = await createTestApp();
  const alice = await t.signIn("alice@example.com");
  const stream = await openEvents(t, alice, { "Accept-Encoding": "gzip" });
  try {
    assert.equal(stream.res.status, 200);
    assert.match(stream.res.headers.get("Content-Type")!, /^text\/event-stream/);
    assert.equal(stream.res.headers.get("Content-Encoding"), null);
    assert.equal(stream.res.headers.get("Cache-Control"), "no-store");
    const first = await stream.nextTodos();
    assert.deepEqual(first, { version: 0, todos: [] });
    assert.match(stream.raw.join("\n"), /^retry: \d+$/m);

    const created = await t.request("/api/todos", {
      method: "POST",
      headers: { Cookie: alice, "Content-Type": "application/json" },
      body: JSON.stringify({ todoText: "milk" }),
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("X-Todos-Version"), "1");
    await created.body?.cancel();
    const second = await stream.nextTodos();
    assert.equal(second.version, 1);
    assert.deepEqual(second.todos.map((todo) => todo.text), ["milk"]);
  } finally {
    await stream.close();
  }
});

Deno.test("the events stream never carries another user's changes", async () => {
  using t = await createTestApp();
  const alice = await t.signIn("alice@example.com");
  const bob = await t.signIn("bob@example.com");
  const stream = await openEvents(t, alice);
  try {
    await stream.nextTodos();
    const res = await t.request("/api/todos", {
      method: "POST",
      headers: { Cookie: bob, "Content-Type": "application/json" },
      body: JSON.stringify({ todoText: "bob's secret" }),
    });
    await res.body?.cancel();
    assert.equal(await stream.next(1000), null);
    assert.doesNotMatch(stream.buffer, /secret/);
  } finally {
    await stream.close();
  }
});

Deno.test("a client that goes away leaves no watch, slot or timer behind", async () => {
  using t = await createTestApp({ tuning: { live: { heartbeatMs: 1000 } } });
  const alice = await t.signIn("alice@example.com");
  const slots = streamSlotsFor(t.kv, t.config.live);
  const streams = [await openEvents(t, alice), await openEvents(t, alice)];
  for (const stream of streams) await stream.nextTodos();
  assert.equal(slots.open, 2);
  assert.equal(openWatchCount(t.kv), 1, "one shared watch per user");
  await streams[0].close();
  await waitFor(() => slots.open === 1, "the first stream's slot is freed");
  assert.equal(openWatchCount(t.kv), 1);
  await streams[1].close();
  await waitFor(() => slots.open === 0 && openWatchCount(t.kv) === 0, "nothing left open");
  // Deno's test sanitizers fail this test if a heartbeat interval or expiry timer survived.
});

Deno.test("a user's newest page stream takes the slot of their oldest, which ends with a retry hint; the isolate's cap answers 429", async () => {
  using t = await createTestApp({ tuning: { live: { maxStreamsPerUser: 2, maxStreams: 3 } } });
  const alice = await t.signIn("alice@example.com");
  const bob = await t.signIn("bob@example.com");
  const carol = await t.signIn("carol@example.com");
  const open = [await openEvents(t, alice), await openEvents(t, alice)];
  try {
    await open[0].nextTodos();
    const newest = await openEvents(t, alice);
    open.push(newest);
    assert.equal(newest.res.status, 200, "the owner's page always goes live");
    assert.ok(await open[0].ended(), "the oldest stream was ended");
    assert.match(open[0].buffer, new RegExp(`retry: ${SLOW_RETRY_MS}`));
    await waitFor(() => streamSlotsFor(t.kv, t.config.live).open === 2, "one slot per stream");

    open.push(await openEvents(t, bob));
    const full = await t.request("/api/todos/events", { headers: { Cookie: carol } });
    assert.equal(full.status, 429, "the isolate's cap holds across users");
    const body = await full.json();
    assert.equal(body.error.code, "rate_limited");
    assert.match(body.error.message, /as many live streams/);
    assert.ok(full.headers.get("Retry-After"));
  } finally {
    for (const stream of open) await stream.close();
  }
});

Deno.test("one client address may hold MAX_STREAMS_PER_ADDRESS streams; the next answers 429", () => {
  const slots = createStreamSlots({ maxStreamsPerUser: 100, maxStreams: 1000, heartbeatMs: 1000 });
  for (let i = 0; i < MAX_STREAMS_PER_ADDRESS; i++) {
    slots.acquire(`user-${i}`, { kind: "page", address: "203.0.113.9" });
  }
  assert.throws(
    () => slots.acquire("owner", { kind: "page", address: "203.0.113.9" }),
    /network address already has 50/,
  );
  slots.acquire("owner", { kind: "page", address: "198.51.100.1" });
  assert.ok(MAX_STREAMS_PER_ADDRESS >= 50, "an office shares one address");
});

Deno.test("signing out ends the stream at the next heartbeat with event session-ended", async () => {
  using t = await createTestApp({ tuning: { live: { heartbeatMs: 1000 } } });
  const alice = await t.signIn("alice@example.com");
  const stream = await openEvents(t, alice);
  try {
    await stream.nextTodos();
    await deleteSession(t.kv, alice.split("=")[1]);
    const event = await stream.next();
    assert.equal(event?.event, "session-ended");
    assert.deepEqual(JSON.parse(event.data), { reason: "signed-out" });
    assert.ok(await stream.ended(), "the server closed the stream");
    await waitFor(() => streamSlotsFor(t.kv, t.config.live).open === 0, "slot freed");
  } finally {
    await stream.close();
  }
});

Deno.test("a stream signed out elsewhere carries no list after it: the next change ends it", async () => {
  // A heartbeat far away: only the check before sending can end the stream here.
  using t = await createTestApp({ tuning: { live: { heartbeatMs: 300_000 } } });
  const alice = await t.signIn("alice@example.com");
  const stream = await openEvents(t, alice);
  try {
    await stream.nextTodos();
    await deleteSession(t.kv, alice.split("=")[1]);
    const user = await findOrCreateLocalUser(t.kv, "alice@example.com");
    await createTodo(t.kv, user.id, "Written after the sign-out");
    const event = await stream.next();
    assert.equal(event?.event, "session-ended");
    assert.deepEqual(JSON.parse(event.data), { reason: "signed-out" });
    assert.ok(await stream.ended(), "the server closed the stream");
  } finally {
    await stream.close();
  }
});

Deno.test("a session ends the stream when it expires (a Stytch JWT's exp), and an expired one gets 401", async () => {
  let expiresAt = 0;
  using t = await createTestApp({
    identity: (_config, kv) => {
      const local = createLocalIdentity({ kv });
      return {
        ...local,
        getSession: async (req) => ({ ...await local.getSession(req), expiresAt }),
      };
    },
  });
  const alice = await t.signIn("alice@example.com");
  expiresAt = Date.now() - 1000;
  const refused = await t.request("/api/todos/events", { headers: { Cookie: alice } });
  assert.equal(refused.status, 401);
  await refused.body?.cancel();

  expiresAt = Date.now() + 400;
  const stream = await openEvents(t, alice);
  try {
    await stream.nextTodos();
    const event = await stream.next();
    assert.equal(event?.event, "session-ended");
    assert.deepEqual(JSON.parse(event.data), { reason: "expired" });
    assert.ok(Date.now() >= expiresAt);
    assert.ok(await stream.ended());
  } finally {
    await stream.close();
  }
});

Deno.test("a burst of changes reaches the stream, the last list always among them", async () => {
  using t = await createTestApp();
  const alice = await t.signIn("alice@example.com");
  const stream = await openEvents(t, alice);
  try {
    await stream.nextTodos();
    const req = new Request("http://localhost:8000/", { headers: { Cookie: alice } });
    const userId = (await sessionUser(t.deps.identity, req))!.id;
    await Promise.all(Array.from({ length: 30 }, (_, i) => createTodo(t.kv, userId, `t${i}`)));
    let last = { version: 0, todos: [] as Todo[] };
    while (last.version < 30) {
      const next = await stream.nextTodos();
      assert.ok(next.version > last.version, "versions only grow");
      last = next;
    }
    assert.equal(last.todos.length, 30);
  } finally {
    await stream.close();
  }
});
