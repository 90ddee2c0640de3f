/**
 * The MCP App view in Chromium, hosted the way MCP Apps hosts do it: a small host page built
 * on the official `AppBridge` (@modelcontextprotocol/ext-apps) renders the `ui://` resource
 * that `listTodos` names in a sandboxed iframe and forwards the view's `tools/call` to the
 * running app's /mcp with a user's token (a real v2 client over loopback HTTP). Changes made
 * with the view's own controls are checked through REST with that user's session cookie.
 *
 * `MCP_APP_SCREENSHOT=docs/mcp-app.png deno test -A e2e/mcp_app_test.ts` also saves a
 * screenshot of the view for docs/mcp.md.
 *
 * Over 350 lines on purpose: one Chromium page and one host page serve every step, so the
 * steps share one file (a browser or page start costs more than a step).
 */
import assert from "node:assert/strict";
import type { Frame, FrameLocator, Page } from "playwright-core";
import { VIEW_MIME_TYPE, VIEW_URI } from "../lib/mcp/app_resource.ts";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { bundleForBrowser } from "../lib/pages/bundle.ts";
import { hashInputs } from "../lib/pages/build_inputs.ts";
import { ROOT_DIR } from "../lib/pages/manifest.ts";
import { sha256Hex } from "../lib/pages/static_files.ts";
import { ClientV2, StreamableHTTPClientTransportV2 } from "../lib/testing/mcp_sdk.ts";
import { startTestIssuer, type TestIssuer } from "../lib/testing/issuer.ts";
import { issuerIdentity } from "../lib/testing/mcp.ts";
import { createTodo, MAX_TEXT_LENGTH, type Todo, updateTodo } from "../lib/todos/mod.ts";
import { launchBrowser, startLocalSession, startServer, type TestServer } from "./browser.ts";

type ToolResult = { structuredContent?: Record<string, unknown>; isError?: boolean };

/** The host page's entry, relative to the project root. */
const HOST_ENTRY = "e2e/mcp_app_host.ts";
/** Minified: half the bytes for each step's page to parse. */
const HOST_BUNDLE = { minify: true };

/**
 * The host page's script (AppBridge and its SDK) bundled for the browser, kept in the temp
 * folder under the SHA-256 of what the bundle is made from (the Deno version, the bundle options
 * and every file a build of it reads, deno.json and deno.lock included), so it is bundled again
 * only when one of them changed.
 */
async function hostScript(): Promise<string> {
  const inputs = await hashInputs([HOST_ENTRY]);
  const key = await sha256Hex(
    new TextEncoder().encode(
      JSON.stringify({ deno: Deno.version.deno, options: HOST_BUNDLE, inputs }),
    ),
  );
  const cached = join(tmpdir(), `mcp-app-host-${key}.js`);
  try {
    return await Deno.readTextFile(cached);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const dir = await Deno.makeTempDir({ dir: tmpdir(), prefix: "mcp-app-host-" });
  try {
    const out = `${dir}/host.js`;
    await bundleForBrowser([new URL(HOST_ENTRY, ROOT_DIR).pathname], { output: out }, HOST_BUNDLE);
    await Deno.rename(out, cached); // whole or not at all, for test runs side by side
    return await Deno.readTextFile(cached);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Serves the host page and its script on 127.0.0.1 (another origin than the app's). */
function serveHost(script: string) {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test host</title>
<script type="module" src="/host.js"></script></head>
<body style="margin:0;background:#ddd"><h1 style="font:14px sans-serif">Test host</h1></body></html>`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const { pathname } = new URL(req.url);
    if (pathname === "/") return new Response(page, { headers: { "Content-Type": "text/html" } });
    if (pathname === "/host.js") {
      return new Response(script, { headers: { "Content-Type": "text/javascript" } });
    }
    return new Response("Not found", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A user of the app: their id, a session cookie for REST, and an MCP access token. */
interface TestUser {
  id: string;
  cookie: string;
  token: string;
}

async function makeUser(server: TestServer, issuer: TestIssuer, email: string) {
  const { userId, cookie } = await startLocalSession(server, email);
  const token = await issuer.sign({
    iss: issuer.origin,
    aud: server.url("/mcp"),
    sub: userId,
    scope: "read:todos write:todos",
    client_id: "test-host",
  });
  return { id: userId, cookie, token } satisfies TestUser;
}

/** The host's MCP client for `user` (over HTTP to the running app, the user's token). */
async function connectHost(server: TestServer, user: TestUser) {
  const client = new ClientV2({ name: "todo-test-host", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransportV2(new URL(server.url("/mcp")), {
      requestInit: { headers: { Authorization: `Bearer ${user.token}` } },
    }),
  );
  return client;
}

async function restTodos(server: TestServer, user: TestUser): Promise<Todo[]> {
  const res = await fetch(server.url("/api/todos"), { headers: { Cookie: user.cookie } });
  assert.equal(res.status, 200);
  return (await res.json()).todos;
}

interface Hosted {
  view: FrameLocator;
  frame: Frame;
  /** Requests any frame other than the host page's made (the view's). */
  viewRequests: string[];
  /** Tool calls the view asked the host for. */
  calls: string[];
}

type ToolCall = (params: { name: string; arguments?: Record<string, unknown> }) => Promise<unknown>;
/** Where each page's `hostCallTool` goes now (a page exposes a function only once). */
const toolCallers = new WeakMap<Page, ToolCall>();

/** Makes the host page's `hostCallTool` run `callTool`. */
async function handToolCalls(page: Page, callTool: ToolCall): Promise<void> {
  if (!toolCallers.has(page)) {
    await page.exposeFunction(
      "hostCallTool",
      (params: Parameters<ToolCall>[0]) => toolCallers.get(page)!(params),
    );
  }
  toolCallers.set(page, callTool);
}

/**
 * Does what a host does when the agent calls `listTodos`: reads the tool's `ui://` view,
 * renders it in the AppBridge host page, and hands it the tool's input and result.
 */
async function hostView(
  page: Page,
  hostUrl: string,
  client: ClientV2,
  hostContext: Record<string, unknown> = { theme: "light", displayMode: "inline" },
  /** `input`: the agent's arguments; `result`: handed over instead of the real result. */
  call: { input?: Record<string, unknown>; result?: Record<string, unknown> } = {},
): Promise<Hosted> {
  const { tools } = await client.listTools();
  const uri = (tools.find((tool) => tool.name === "listTodos")!._meta as {
    ui: { resourceUri: string };
  }).ui.resourceUri;
  assert.equal(uri, VIEW_URI);
  const { contents } = await client.readResource({ uri });
  const [content] = contents as { mimeType?: string; text: string }[];
  assert.equal(content.mimeType, VIEW_MIME_TYPE);
  const toolInput = call.input ?? { filter: "all" };
  const toolResult = call.result ??
    await client.callTool({ name: "listTodos", arguments: toolInput });

  const calls: string[] = [];
  const viewRequests: string[] = [];
  page.on("request", (request) => {
    if (request.frame() !== page.mainFrame()) viewRequests.push(request.url());
  });
  await handToolCalls(page, (params) => {
    calls.push(params.name);
    return client.callTool(params);
  });
  await page.goto(hostUrl);
  await page.waitForFunction(() => "startHost" in globalThis);
  await page.evaluate(
    (options) =>
      (globalThis as unknown as { startHost(o: unknown): Promise<void> }).startHost(options),
    { html: content.text, toolInput, toolResult, hostContext },
  );
  await page.waitForFunction(() =>
    (globalThis as unknown as { record: { initialized: boolean } }).record.initialized
  );
  const frame = page.frames().find((f) => f !== page.mainFrame())!;
  return { view: page.frameLocator("#view"), frame, viewRequests, calls };
}

const record = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as {
      record: { sizes: { height?: number }[]; displayModes: string[]; modelContext: unknown[] };
    }).record
  );

Deno.test("the MCP App view in Chromium, hosted by the ext-apps AppBridge", async (t) => {
  const issuer = await startTestIssuer();
  await using _issuer = { [Symbol.asyncDispose]: () => issuer.close() };
  await using server = await startServer({
    publicUrl: true,
    identity: (_config, kv) => issuerIdentity(kv, issuer),
  });
  await using host = serveHost(await hostScript());
  await using browser = await launchBrowser();
  // One page for every step (each starts with no cookies, storage or routes of the last).
  await using tab = await browser.keepPage();
  const ada = await makeUser(server, issuer, "ada@example.com");
  const bob = await makeUser(server, issuer, "bob@example.com");
  await createTodo(server.kv, ada.id, "Buy milk");
  await createTodo(server.kv, ada.id, "<img src=x onerror=alert(1)>");
  await createTodo(server.kv, bob.id, "Bob's secret plan");

  await t.step(
    "shows the user's todos; adding, completing and deleting with its controls change the store",
    () =>
      tab.run(async (page) => {
        const client = await connectHost(server, ada);
        try {
          const { view, viewRequests, calls } = await hostView(page, host.url, client);
          const texts = () => view.locator("li.todo .text").allTextContents();
          await view.locator("li.todo").first().waitFor();
          // Todo text is text: the markup-like one shows as typed and runs nothing.
          assert.deepEqual(await texts(), ["Buy milk", "<img src=x onerror=alert(1)>"]);
          assert.equal(await view.locator("li.todo img").count(), 0);
          assert.doesNotMatch(await texts().then(String), /Bob/);
          const heightBefore = (await record(page)).sizes.at(-1)?.height ?? 0;
          // The view's limit is the store's rule (lib/todos/limits.ts), not a copy.
          assert.equal(
            await view.locator("#new-todo").getAttribute("maxlength"),
            String(MAX_TEXT_LENGTH),
          );

          await view.locator("#new-todo").fill("Call Alice");
          await view.locator("#new-todo").press("Enter");
          await view.locator("li.todo", { hasText: "Call Alice" }).waitFor();
          await view.locator(".status", { hasText: "Added “Call Alice”." }).waitFor();
          let stored = await restTodos(server, ada);
          assert.deepEqual(stored.map((todo) => todo.text), [
            "Buy milk",
            "<img src=x onerror=alert(1)>",
            "Call Alice",
          ]);

          await view.locator("li.todo", { hasText: "Buy milk" }).locator("button.check").click();
          await view.locator("li.todo.done", { hasText: "Buy milk" }).waitFor();
          stored = await restTodos(server, ada);
          assert.equal(stored.find((todo) => todo.text === "Buy milk")?.completed, true);

          await view.locator("li.todo", { hasText: "Buy milk" }).locator("button.check").click();
          await view.locator("li.todo:not(.done)", { hasText: "Buy milk" }).waitFor();
          stored = await restTodos(server, ada);
          assert.equal(stored.find((todo) => todo.text === "Buy milk")?.completed, false);

          await view.locator("li.todo", { hasText: "Call Alice" }).locator("a.edit").click();
          await view.locator("input.edit-input").fill("Call Alice on Friday");
          await view.locator("input.edit-input").press("Enter");
          await view.locator("li.todo", { hasText: "Call Alice on Friday" }).waitFor();
          stored = await restTodos(server, ada);
          assert.ok(stored.some((todo) => todo.text === "Call Alice on Friday"));

          await view.locator("li.todo", { hasText: "<img" }).locator("button.delete").click();
          await view.locator("li.todo", { hasText: "<img" }).waitFor({ state: "detached" });
          stored = await restTodos(server, ada);
          assert.deepEqual(stored.map((todo) => todo.text), ["Buy milk", "Call Alice on Friday"]);
          // Bob's list is untouched.
          assert.deepEqual((await restTodos(server, bob)).map((todo) => todo.text), [
            "Bob's secret plan",
          ]);

          assert.deepEqual(calls, [
            "createTodo",
            "markTodoComplete",
            "markTodoIncomplete",
            "updateTodo",
            "deleteTodo",
          ]);
          const { sizes, modelContext } = await record(page);
          assert.ok(sizes.length > 0, "the view reports its size");
          assert.ok(sizes.at(-1)!.height! > 0 && heightBefore > 0);
          assert.ok(modelContext.length >= 5, "each change is shared with the model's context");
          assert.deepEqual(viewRequests, [], "the view made no network request of its own");

          const shot = Deno.env.get("MCP_APP_SCREENSHOT");
          if (shot) {
            // A list that shows the states: one more todo, one done.
            await view.locator("#new-todo").fill("Water the plants");
            await view.locator("#new-todo").press("Enter");
            await view.locator("li.todo", { hasText: "Water the plants" }).waitFor();
            await view.locator("li.todo", { hasText: "Buy milk" }).locator("button.check").click();
            await view.locator("li.todo.done", { hasText: "Buy milk" }).waitFor();
            await page.locator("#view").screenshot({ path: shot });
          }
        } finally {
          await client.close();
        }
      }),
  );

  await t.step(
    "another user's token shows only that user's todos",
    () =>
      tab.run(async (page) => {
        const client = await connectHost(server, bob);
        try {
          const { view, viewRequests } = await hostView(page, host.url, client);
          await view.locator("li.todo").first().waitFor();
          assert.deepEqual(await view.locator("li.todo .text").allTextContents(), [
            "Bob's secret plan",
          ]);
          assert.deepEqual(viewRequests, []);
        } finally {
          await client.close();
        }
      }),
  );

  await t.step(
    "follows the host's theme and display mode; a todo deleted elsewhere is explained inline",
    () =>
      tab.run(async (page) => {
        const client = await connectHost(server, ada);
        try {
          const { view, frame } = await hostView(page, host.url, client, {
            theme: "dark",
            displayMode: "inline",
            availableDisplayModes: ["inline", "fullscreen"],
          });
          await view.locator("li.todo").first().waitFor();
          const theme = () => frame.evaluate(() => document.documentElement.dataset.theme);
          const background = () =>
            frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
          assert.equal(await theme(), "dark");
          assert.equal(await background(), "rgb(27, 30, 41)");
          await page.evaluate(() =>
            (globalThis as unknown as { setHostContext(c: unknown): void }).setHostContext({
              theme: "light",
            })
          );
          await frame.waitForFunction(() => document.documentElement.dataset.theme === "light");
          assert.equal(await background(), "rgb(255, 255, 255)");

          await view.getByRole("button", { name: "Full screen" }).click();
          await view.getByRole("button", { name: "Exit full screen" }).waitFor();
          assert.deepEqual((await record(page)).displayModes, ["fullscreen"]);
          assert.equal(
            await frame.evaluate(() => document.documentElement.dataset.display),
            "fullscreen",
          );

          // Deleted through REST while the view shows it: the view says so and drops it.
          const [milk] = (await restTodos(server, ada)).filter((todo) => todo.text === "Buy milk");
          const res = await fetch(server.url(`/api/todos/${milk.id}`), {
            method: "DELETE",
            headers: { Cookie: ada.cookie, Origin: server.origin },
          });
          assert.equal(res.ok, true);
          await res.body?.cancel();
          await view.locator("li.todo", { hasText: "Buy milk" }).locator("button.check").click();
          await view.getByRole("alert").filter({ hasText: "deleted elsewhere" }).waitFor();
          await view.locator("li.todo", { hasText: "Buy milk" }).waitFor({ state: "detached" });

          // Text too long for the server: its message shows inline, nothing changes.
          const before = await restTodos(server, ada);
          await view.locator("#new-todo").evaluate((input) => input.removeAttribute("maxlength"));
          await view.locator("#new-todo").fill("x".repeat(600));
          await view.locator("#new-todo").press("Enter");
          await view.getByRole("alert").filter({ hasText: /500/ }).waitFor();
          assert.deepEqual(await restTodos(server, ada), before);
        } finally {
          await client.close();
        }
      }),
  );
  await t.step(
    "a token without the write scope changes nothing, and failures show inline, never a blank view",
    () =>
      tab.run(async (page) => {
        const reader = {
          ...ada,
          token: await issuer.sign({
            iss: issuer.origin,
            aud: server.url("/mcp"),
            sub: ada.id,
            scope: "read:todos",
            client_id: "test-host",
          }),
        };
        const client = await connectHost(server, reader);
        try {
          const before = await restTodos(server, ada);
          const { view } = await hostView(page, host.url, client);
          await view.locator("li.todo").first().waitFor();
          await view.locator("#new-todo").fill("Not allowed");
          await view.locator("#new-todo").press("Enter");
          await view.getByRole("alert").filter({ hasText: "could not run createTodo" }).waitFor();
          assert.equal(await view.locator("li.todo", { hasText: "Not allowed" }).count(), 0);
          assert.deepEqual(await restTodos(server, ada), before);
        } finally {
          await client.close();
        }
      }),
  );

  await t.step(
    "a failed tool result is shown as the view's message",
    () =>
      tab.run(async (page) => {
        const client = await connectHost(server, ada);
        try {
          const { view } = await hostView(page, host.url, client, undefined, {
            result: {
              content: [{ type: "text", text: "Something went wrong on our side; try again." }],
              isError: true,
            },
          });
          await view.getByRole("alert").filter({ hasText: "went wrong on our side" }).waitFor();
          assert.equal(await view.locator("li.todo").count(), 0);
          // Refresh loads the list through the host once things work again.
          await view.getByRole("button", { name: "Refresh" }).click();
          await view.locator("li.todo").first().waitFor();
          assert.equal(await view.getByRole("alert").count(), 0);
        } finally {
          await client.close();
        }
      }),
  );
  await t.step(
    "the agent's filter (tool input) picks the view's filter over the whole list",
    () =>
      tab.run(async (page) => {
        const filed = await createTodo(server.kv, ada.id, "File taxes");
        await updateTodo(server.kv, ada.id, filed.id, { completed: true });
        const client = await connectHost(server, ada);
        try {
          const { view, calls } = await hostView(page, host.url, client, undefined, {
            input: { filter: "completed" },
          });
          await view.locator(".filters a[aria-current=page]", { hasText: "Completed" }).waitFor();
          const all = await restTodos(server, ada);
          const done = all.filter((todo) => todo.completed).map((todo) => todo.text);
          assert.ok(done.includes("File taxes") && done.length < all.length);
          assert.deepEqual(await view.locator("li.todo .text").allTextContents(), done);
          // The whole list was fetched: the count and the other filters cover every todo.
          assert.deepEqual(calls, ["listTodos"]);
          await view.locator(".count", { hasText: `of ${all.length} left` }).waitFor();
          await view.getByRole("link", { name: "All" }).click();
          await view.locator("li.todo").nth(all.length - 1).waitFor();
        } finally {
          await client.close();
        }
      }),
  );
});
