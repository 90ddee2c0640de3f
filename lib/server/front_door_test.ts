import assert from "node:assert/strict";
import { startServer } from "../testing/server_process.ts";
import {
  connectionCap,
  HEADERS_TIMEOUT_MS,
  idleTimeoutMs,
  serveBehindFrontDoor,
} from "./front_door.ts";

const encoder = new TextEncoder();

/** Opens `count` loopback connections to `port`, each sending `prefix` (maybe nothing). */
async function holdSockets(port: number, count: number, prefix = ""): Promise<Deno.TcpConn[]> {
  const sockets: Deno.TcpConn[] = [];
  for (let i = 0; i < count; i++) {
    const socket = await Deno.connect({ hostname: "127.0.0.1", port });
    if (prefix) await socket.write(encoder.encode(prefix));
    sockets.push(socket);
  }
  return sockets;
}

const closeAll = (sockets: Deno.TcpConn[]) => {
  for (const socket of sockets) {
    try {
      socket.close();
    } catch {
      // closed by the server
    }
  }
};

Deno.test("the connection cap leaves descriptors for the rest of the process", () => {
  assert.equal(connectionCap(1024), 320);
  assert.equal(connectionCap(256), 64);
  assert.equal(connectionCap(20), 16);
  assert.equal(idleTimeoutMs(20_000), 60_000);
  assert.equal(idleTimeoutMs(300_000), 605_000);
});

Deno.test({
  name: "at ulimit -n 256 the server keeps answering while 600 idle and half-sent sockets are held",
  sanitizeResources: false,
  async fn() {
    const server = await startServer({ openFiles: 256 });
    const held: Deno.TcpConn[] = [];
    try {
      held.push(...await holdSockets(server.port, 300));
      held.push(...await holdSockets(server.port, 300, "GET /api/todos HTTP/1.1\r\nHost: loc"));
      const response = await fetch(`${server.origin}/api/todos`, {
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(response.status, 401); // answered by the app: not signed in
      await response.body?.cancel();
      const exited = await Promise.race([server.status, new Promise((r) => setTimeout(r, 200))]);
      assert.equal(exited, undefined, `the server exited:\n${server.output()}`);
      assert.doesNotMatch(server.output(), /Too many open files|Uncaught/);
    } finally {
      closeAll(held);
      await server.kill();
    }
  },
});

/** A front door on a loopback port that answers every request `ok`. */
function openFrontDoor(options: { headersTimeoutMs?: number } = {}) {
  return serveBehindFrontDoor(
    { hostname: "127.0.0.1", port: 0, heartbeatMs: 30_000, ...options },
    () => new Response("ok"),
  );
}

Deno.test("a request head not finished within the header timeout has its socket closed", async () => {
  const timeoutMs = 400;
  const door = openFrontDoor({ headersTimeoutMs: timeoutMs });
  const [socket] = await holdSockets(door.addr.port, 1, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  try {
    const started = Date.now();
    const read = await socket.read(new Uint8Array(64)).catch(() => null);
    const waited = Date.now() - started;
    assert.equal(read, null, "the server closed the socket without an answer");
    assert.ok(waited >= timeoutMs - 50, `closed after ${waited} ms`);
    assert.ok(waited < timeoutMs + 5000, `closed after ${waited} ms`);
    const answer = await fetch(`http://127.0.0.1:${door.addr.port}/`);
    assert.equal(await answer.text(), "ok", "a whole head in time is answered");
  } finally {
    closeAll([socket]);
    await door.closeAll();
  }
});

Deno.test("a front door given no header timeout, as main.ts opens it, uses HEADERS_TIMEOUT_MS", async () => {
  const door = openFrontDoor();
  await door.closeAll();
  assert.equal(door.headersTimeoutMs, HEADERS_TIMEOUT_MS);
});
