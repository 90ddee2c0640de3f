/**
 * Live sync in Chromium: changes made through REST, through an MCP tool call and in another
 * tab appear in an open todo page without a reload; another user's page stays as it is; the
 * page keeps what is being typed; and while the app is down the page says "Live updates paused",
 * recovering once it restarts on the same KV file.
 * Deadlines are generous (5 s): speed is measured by bench/live_sync.ts, not asserted here.
 */
import { withTuning } from "../lib/testing/app.ts";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createApp } from "../lib/app.ts";
import { parseConfig } from "../lib/config.ts";
import { createTodo } from "../lib/todos/mod.ts";
import { ClientV2, StreamableHTTPClientTransportV2 } from "../lib/testing/mcp_sdk.ts";
import { startTestIssuer, type TestIssuer } from "../lib/testing/issuer.ts";
import { issuerIdentity } from "../lib/testing/mcp.ts";
import { focusedEditField, launchBrowser, signInAs } from "./browser.ts";

const DEADLINE = { timeout: 5000 };

interface LiveServer {
  origin: string;
  kv: Deno.Kv;
  url(path: string): string;
  /** Stops serving (streams end as their KV watches close) and closes the KV handle. */
  stop(): Promise<void>;
}

/** The real app on 127.0.0.1:`port` over the KV file `kvPath`; MCP tokens from `issuer`. */
async function serveApp(kvPath: string, port: number, issuer: TestIssuer): Promise<LiveServer> {
  const origin = `http://127.0.0.1:${port}`;
  const config = withTuning(parseConfig({}), { live: { heartbeatMs: 5000 } });
  const kv = await Deno.openKv(kvPath);
  const identity = issuerIdentity(kv, issuer);
  const app = createApp({ config, kv, identity });
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, app.fetch);
  return {
    origin,
    kv,
    url: (path) => new URL(path, origin).href,
    async stop() {
      const done = server.shutdown(); // waits for open streams, which end once KV closes
      kv.close();
      await done;
    },
  };
}

/** Opens /todoapp signed in as `email` (the sign-in form has tests of its own). */
async function openSignedIn(page: Page, server: LiveServer, email: string) {
  const { userId, cookie } = await signInAs(page.context(), server, email);
  await page.goto(server.url("/todoapp"));
  await hydrated(page);
  return { cookie, id: userId };
}

const hydrated = (page: Page) =>
  page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
const item = (page: Page, text: string) => page.locator("li.todo", { hasText: text });
const texts = (page: Page) => page.locator("li.todo .text").allTextContents();

async function restCreate(server: LiveServer, cookie: string, text: string): Promise<string> {
  const res = await fetch(server.url("/api/todos"), {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "application/json" },
    body: JSON.stringify({ todoText: text }),
  });
  assert.equal(res.status, 201);
  return (await res.json()).todo.id;
}

Deno.test("live sync in Chromium: REST, MCP and other tabs show at once; restart recovers", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "live-sync-" });
  const kvPath = `${dir}/todos.sqlite3`;
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const issuer = await startTestIssuer();
  let server = await serveApp(kvPath, port, issuer);
  await using browser = await launchBrowser();
  try {
    await browser.withPage(async (tabA, { context }) => {
      // The page's clock, so the pause below is moved on instead of waited out.
      await tabA.clock.install();
      const { cookie: ada, id: adaId } = await openSignedIn(tabA, server, "ada@example.com");
      const tabB = await context.newPage();
      await tabB.goto(server.url("/todoapp"));
      await hydrated(tabB);

      await browser.withPage(async (bobPage) => {
        const bob = await openSignedIn(bobPage, server, "bob@example.com");

        await t.step("a change through REST appears in both of the user's tabs", async () => {
          await restCreate(server, ada, "From REST");
          await item(tabA, "From REST").waitFor(DEADLINE);
          await item(tabB, "From REST").waitFor(DEADLINE);
          assert.equal(await tabA.locator(".count").textContent(), "1 of 1 left");
        });

        await t.step("a change through an MCP tool call appears too", async () => {
          const token = await issuer.sign({
            iss: issuer.origin,
            aud: server.url("/mcp"),
            sub: adaId,
            scope: "read:todos write:todos",
            client_id: "test-client",
          });
          const client = new ClientV2({ name: "live-e2e", version: "1.0.0" }, {
            versionNegotiation: { mode: { pin: "2026-07-28" } },
          });
          await client.connect(
            new StreamableHTTPClientTransportV2(new URL(server.url("/mcp")), {
              requestInit: { headers: { Authorization: `Bearer ${token}` } },
            }),
          );
          try {
            await client.callTool({ name: "createTodo", arguments: { todoText: "From Claude" } });
          } finally {
            await client.close();
          }
          await item(tabA, "From Claude").waitFor(DEADLINE);
          await item(tabB, "From Claude").waitFor(DEADLINE);
        });

        await t.step("a change in one tab appears in the other", async () => {
          await item(tabA, "From REST").locator("button.check").click();
          await tabB.locator("li.todo.done", { hasText: "From REST" }).waitFor(DEADLINE);
        });

        await t.step("another user's page shows none of it", async () => {
          // A change of Bob's own, made after all of the above, shows once everything before it
          // would have: then his page shows that alone, and is empty again once it is deleted.
          const own = await restCreate(server, bob.cookie, "Bob's own");
          await item(bobPage, "Bob's own").waitFor(DEADLINE);
          assert.deepEqual(await texts(bobPage), ["Bob's own"]);
          const res = await fetch(server.url(`/api/todos/${own}`), {
            method: "DELETE",
            headers: { Cookie: bob.cookie, Origin: server.origin },
          });
          assert.equal(res.status, 200, await res.text());
          await bobPage.locator(".empty", { hasText: "Nothing to do yet" }).waitFor(DEADLINE);
          assert.deepEqual(await texts(bobPage), []);
        });

        await t.step("what the person is typing survives an incoming change", async () => {
          await tabA.fill("#new-todo", "half typed");
          await item(tabA, "From Claude").locator("a.edit").click();
          const edit = await focusedEditField(tabA);
          await edit.fill("From Claude, edited");
          await restCreate(server, ada, "Arrives while typing");
          await item(tabA, "Arrives while typing").waitFor(DEADLINE);
          assert.equal(await edit.inputValue(), "From Claude, edited");
          assert.equal(await tabA.inputValue("#new-todo"), "half typed");
          await edit.press("Escape");
          await tabA.fill("#new-todo", "");
        });

        await t.step("paused while the app is down; re-synced after it restarts", async () => {
          await tabA.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
          await server.stop();
          const paused = tabA.getByRole("status").filter({ hasText: "Live updates paused" });
          // The page says so once the stream has been gone a while: that while is moved on.
          for (let i = 0; i < 10 && !(await paused.isVisible()); i++) {
            await tabA.clock.fastForward(1000);
            await paused.waitFor({ timeout: 500 }).catch(() => {});
          }
          await paused.waitFor({ timeout: 1000 });
          // A change made while the page was away (another process on the same file).
          const kv = await Deno.openKv(kvPath);
          await createTodo(kv, adaId, "While down");
          kv.close();
          server = await serveApp(kvPath, port, issuer);
          await item(tabA, "While down").waitFor({ timeout: 15_000 });
          await paused.waitFor({ state: "detached" });
          await restCreate(server, ada, "After restart");
          await item(tabA, "After restart").waitFor(DEADLINE);
          await item(tabB, "After restart").waitFor(DEADLINE);
          assert.equal(await tabA.evaluate(() => "notReloaded" in globalThis), true);
          assert.deepEqual(await texts(bobPage), []);
        });
      });
    });
  } finally {
    await server.stop().catch(() => {});
    await issuer.close();
    await Deno.remove(dir, { recursive: true });
  }
});
