import assert from "node:assert/strict";
import { type ServerProcess, startServer } from "../testing/server_process.ts";
import { SHUTDOWN_GRACE_MS, SHUTDOWN_RETRY_MS } from "./shutdown.ts";

/** Signs in through the real form and returns the session cookie. */
async function signIn(server: ServerProcess, email: string): Promise<string> {
  const response = await fetch(`${server.origin}/login`, {
    method: "POST",
    headers: { Origin: server.origin },
    body: new URLSearchParams({ email }),
  });
  await response.body?.cancel();
  const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  assert.ok(cookie, `signed in (status ${response.status})`);
  return cookie;
}

Deno.test({
  name: "SIGTERM under load: answered writes survive a restart, streams get a retry hint, exit 0",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let server = await startServer();
    const cookie = await signIn(server, "alice@example.com");
    const headers = { Cookie: cookie, Origin: server.origin, "Content-Type": "application/json" };
    const events = await fetch(`${server.origin}/api/todos/events`, {
      headers: { Cookie: cookie },
    });
    assert.equal(events.status, 200);
    const eventsText = events.text();

    const acknowledged: string[] = [];
    let refused = 0;
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const response = await fetch(`${server.origin}/api/todos`, {
            method: "POST",
            headers,
            body: JSON.stringify({ todoText: `w${w}-${i}` }),
          });
          const body = await response.json();
          if (response.status === 201) acknowledged.push(body.todo.id);
          else {
            refused++;
          }
        } catch {
          refused++; // not answered: the connection was refused or closed
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = acknowledged.length;
    const signalled = Date.now();
    server.child.kill("SIGTERM");
    const status = await server.status;
    const exitMs = Date.now() - signalled;
    stop = true;
    await Promise.all(writers);

    assert.equal(status.code, 0, server.output());
    assert.ok(exitMs < SHUTDOWN_GRACE_MS + 2000, `exited ${exitMs} ms after SIGTERM`);
    assert.ok(before > 0, "writes were answered before the signal");
    assert.match(await eventsText, new RegExp(`retry: ${SHUTDOWN_RETRY_MS}`));
    console.log(
      `SIGTERM -> exit ${exitMs} ms; ${acknowledged.length} writes answered, ${refused} refused`,
    );

    server = await startServer({ kvPath: server.kvPath });
    try {
      const list = await fetch(`${server.origin}/api/todos`, { headers: { Cookie: cookie } });
      const ids = new Set((await list.json()).todos.map((todo: { id: string }) => todo.id));
      const lost = acknowledged.filter((id) => !ids.has(id));
      assert.deepEqual(lost, [], "every answered write is in the store after the restart");
    } finally {
      await server.kill();
    }
  },
});
