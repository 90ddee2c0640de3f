import assert from "node:assert/strict";
import { streamSlotsFor } from "./limits.ts";
import { createBudgetedStream, MAX_QUEUED_BYTES } from "./stream_budget.ts";
import { createTestApp, sessionUser } from "../testing/app.ts";
import { waitFor } from "../testing/wait.ts";
import { createTodo, updateTodo } from "../todos/mod.ts";

Deno.test("a write past the bound fails the stream and frees what it held", async () => {
  let ended = 0;
  const stream = createBudgetedStream({ start() {}, ended: () => ended++ }, 1000);
  stream.write("x".repeat(600));
  assert.equal(stream.queued, 600);
  assert.ok(stream.backlogged);
  stream.write("y".repeat(600));
  assert.ok(stream.ended);
  assert.equal(ended, 1);
  await assert.rejects(stream.body.getReader().read(), /too much unsent/);
});

Deno.test("bytes the reader takes no longer count as queued", async () => {
  let drained = 0;
  const stream = createBudgetedStream({ start() {}, drained: () => drained++, ended() {} });
  const reader = stream.body.getReader();
  stream.write("hello");
  assert.equal(stream.queued, 5);
  await reader.read();
  assert.equal(stream.queued, 0);
  const next = reader.read(); // pulls: the writer may send its newest state
  assert.equal(drained, 1);
  stream.end(1000);
  assert.match(new TextDecoder().decode((await next).value), /^retry: 1000/);
});

Deno.test({
  name: "a socket that never reads an events stream while 3,000 writes happen holds one list",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using t = await createTestApp();
    const cookie = await t.signIn("alice@example.com");
    const user = await sessionUser(
      t.deps.identity,
      new Request("http://localhost:8000/", { headers: { Cookie: cookie } }),
    );
    const userId = user!.id;
    const todos = [];
    for (let i = 0; i < 100; i++) {
      todos.push(await createTodo(t.kv, userId, `${i} ${"a".repeat(400)}`));
    }
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (req, info) => t.app.fetch(req, { remoteAddr: info.remoteAddr }),
    );
    const socket = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    try {
      await socket.write(new TextEncoder().encode(
        `GET /api/todos/events HTTP/1.1\r\nHost: localhost:8000\r\nCookie: ${cookie}\r\n` +
          "Accept: text/event-stream\r\n\r\n",
      ));
      const slots = streamSlotsFor(t.kv, t.config.live);
      await waitFor(() => slots.open === 1, "the stream is open");
      const [stream] = slots.streams();
      let peak = 0;
      for (let i = 0; i < 3000; i++) {
        await updateTodo(t.kv, userId, todos[i % 100].id, { completed: i % 2 === 0 });
        peak = Math.max(peak, stream.queuedBytes!());
      }
      const listBytes = 100 * 500;
      assert.ok(peak <= MAX_QUEUED_BYTES, `peak ${peak} bytes`);
      assert.ok(peak < 4 * listBytes, `coalesced to about one list: peak ${peak} bytes`);
    } finally {
      socket.close();
      await server.shutdown();
    }
  },
});
