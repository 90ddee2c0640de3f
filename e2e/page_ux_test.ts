/**
 * The pages as a person meets them on a phone (390×844, touch) and a desktop (1280×800): every
 * state said in plain words, hit areas of at least 44×44 px, nothing that jumps, and no axe
 * finding on any page (landing, sign-in, list, connections, consent, 404, outage).
 */
import assert from "node:assert/strict";
import type { BrowserContextOptions, Page } from "playwright-core";
import { assertAccessible } from "./axe.ts";
import { launchBrowser, signInAs, startServer, type TestServer } from "./browser.ts";
import { createIdentityProvider } from "../lib/identity_provider.ts";
import { ServiceUnavailableError } from "../lib/errors.ts";
import { createTodo } from "../lib/todos/mod.ts";

/** The smallest hit area a control may have, in CSS px (WCAG 2.5.5). */
const MIN_HIT_PX = 44;

const SIZES: { name: string; options: BrowserContextOptions }[] = [
  {
    name: "phone",
    options: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true },
  },
  { name: "desktop", options: { viewport: { width: 1280, height: 800 } } },
];

const LONG_EMAIL = "someone.with.a.rather.long.address@mail.example-company.com";

/** Fails on any axe finding (light and dark), or a page wider than the screen. */
async function checkPage(page: Page, where: string) {
  await assertAccessible(page, where);
  const [width, screen] = await page.evaluate(
    () => [document.documentElement.scrollWidth, innerWidth],
  );
  assert.ok(width <= screen, `${where} is ${width}px wide on a ${screen}px screen`);
}

/** Every visible control on the page with its box, the smallest area first. */
function hitAreas(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("a[href], button, input:not([type=hidden]), summary")]
      .filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
      })
      .map((el) => {
        const box = el.getBoundingClientRect();
        const name = el.getAttribute("aria-labelledby") ?? el.textContent?.trim() ?? el.id;
        return {
          control: `${el.tagName.toLowerCase()} ${name}`,
          width: box.width,
          height: box.height,
        };
      })
      .sort((a, b) => a.width * a.height - b.width * b.height)
  );
}

async function assertHitAreas(page: Page, where: string) {
  // Sizes are read once the page's stylesheet has loaded (after a form post, the new document
  // may still be fetching it).
  await page.waitForLoadState("load");
  const areas = await hitAreas(page);
  const small = areas.filter((a) => a.width < MIN_HIT_PX || a.height < MIN_HIT_PX);
  assert.deepEqual(small, [], `controls under ${MIN_HIT_PX}×${MIN_HIT_PX} px on ${where}`);
  const [least] = areas;
  console.log(`  smallest hit area on ${where}: ${least.width}×${least.height} (${least.control})`);
}

const box = async (page: Page, selector: string) => (await page.locator(selector).boundingBox())!;

/** Signs `email` in through the form and waits for the hydrated list. */
async function signIn(page: Page, server: TestServer, email: string) {
  await page.goto(server.url("/login"));
  await page.fill("#email", email);
  await page.click("button[type=submit]");
  await page.waitForURL(server.url("/todoapp"));
  await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
}

async function register(server: TestServer, redirectUri: string): Promise<string> {
  const response = await fetch(server.url("/oauth/register"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: "Claude", redirect_uris: [redirectUri] }),
  });
  assert.equal(response.status, 201);
  return (await response.json()).client_id;
}

Deno.test("pages on a phone and a desktop", async (t) => {
  await using server = await startServer();
  /** The sign-in service of the outage server: down until a test brings it back. */
  const outage = { down: false };
  await using flaky = await startServer({
    identity: async (config, kv) => {
      const real = await createIdentityProvider(config, kv);
      return {
        ...real,
        getSession: (req, cookie) =>
          outage.down
            ? Promise.reject(new ServiceUnavailableError("Could not fetch signing keys.", 5))
            : real.getSession(req, cookie),
      };
    },
  });
  await using browser = await launchBrowser();

  for (const { name, options } of SIZES) {
    await using shared = await browser.keepPage(options);
    await t.step(
      `${name}: landing, sign-in and 404 have the header and no axe finding`,
      () =>
        shared.run(async (page) => {
          await page.goto(server.url("/"));
          await page.waitForSelector("pages-island[data-island=McpUrl][data-hydrated]");
          await checkPage(page, `${name} landing`);
          await page.goto(server.url("/login"));
          await page.locator(".topbar .brand").waitFor();
          assert.equal(await page.getByRole("status").textContent(), "");
          await checkPage(page, `${name} sign-in`);
          const missing = await page.goto(server.url("/no-such-page"));
          assert.equal(missing?.status(), 404);
          await page.locator(".topbar .brand").waitFor();
          await checkPage(page, `${name} 404`);
        }),
    );

    await t.step(
      `${name}: the list page, its hit areas, the MCP URL and nothing that jumps`,
      () =>
        shared.run(async (page) => {
          await signIn(page, server, `${name}.${LONG_EMAIL}`);
          // The empty list: the add field stays put when the first todo arrives.
          const field = await box(page, "#new-todo");
          const emptyAside = await box(page, ".mcp-info");
          await page.fill("#new-todo", "First");
          await page.press("#new-todo", "Enter");
          await page.locator("li.todo", { hasText: "First" }).waitFor();
          assert.deepEqual(await box(page, "#new-todo"), field, "the add field did not move");
          // Below it, only the new row's height: the toolbar stands where the empty sentence stood.
          const row = await box(page, "li.todo");
          const moved = (await box(page, ".mcp-info")).y - emptyAside.y;
          assert.ok(
            Math.abs(moved - row.height) <= 2,
            `moved ${moved}px for a ${row.height}px row`,
          );
          for (const text of ["Second", "Third"]) {
            await page.fill("#new-todo", text);
            await page.press("#new-todo", "Enter");
            await page.locator("li.todo", { hasText: text }).waitFor();
          }
          // Clear completed appears: the filters stay where they were.
          const filters = await box(page, ".filters");
          const list = await box(page, "ul.todos");
          await page.getByRole("button", { name: "Mark complete: Second" }).click();
          await page.getByRole("button", { name: "Clear completed (1)" }).waitFor();
          assert.deepEqual(await box(page, ".filters"), filters, "the filters did not move");
          assert.deepEqual((await box(page, "ul.todos")).y, list.y, "the list did not move");
          await assertHitAreas(page, `${name} list page`);
          assert.ok((await box(page, ".add-form button")).height < 50, "Add keeps one line");
          await checkPage(page, `${name} list page`);

          // The MCP URL: one line, in a read-only field, all of it there, and a Copy button.
          const url = page.getByRole("textbox", { name: "MCP server URL" });
          assert.equal(await url.inputValue(), server.url("/mcp"));
          assert.equal(await url.getAttribute("readonly"), "");
          const lineHeight = await url.evaluate((el) =>
            parseFloat(getComputedStyle(el).lineHeight)
          );
          assert.ok((await url.boundingBox())!.height < 2 * lineHeight + 8, "one line");
          await page.getByRole("button", { name: "Copy MCP URL" }).waitFor();

          // A long address: cut with an ellipsis on one line, whole on hover and to readers.
          const who = page.locator(".who");
          assert.equal(await who.getAttribute("title"), `${name}.${LONG_EMAIL}`);
          assert.equal(await who.textContent(), `${name}.${LONG_EMAIL}`);
          assert.ok(await who.evaluate((el) => el.scrollWidth > el.clientWidth), "cut");
          assert.equal(await who.evaluate((el) => getComputedStyle(el).textOverflow), "ellipsis");
          const tops = await page.locator(".topnav > :not(.who)").evaluateAll((els) =>
            els.map((el) => Math.round(el.getBoundingClientRect().top))
          );
          assert.equal(new Set(tops).size, 1, `the header's links keep one line: ${tops}`);
          if (name === "desktop") assert.ok((await box(page, ".topbar")).height < 80);

          // Editing: its field and buttons are as large.
          await page.getByRole("link", { name: "Edit: Third" }).click();
          await page.locator(".edit-input:focus").waitFor();
          await assertHitAreas(page, `${name} list page while editing`);

          // Signing out lands on the sign-in page, which says so in a status region.
          await page.keyboard.press("Escape");
          await page.getByRole("button", { name: "Sign out" }).click();
          await page.waitForURL((at) => at.pathname === "/login");
          assert.equal(new URL(page.url()).search, "?signedOut=1");
          assert.equal(await page.getByRole("status").textContent(), "You are signed out.");
          await checkPage(page, `${name} signed out`);
        }),
    );

    await t.step(
      `${name}: without JavaScript an addition is confirmed, the field in view`,
      () =>
        shared.run(async (page) => {
          const email = `nojs.${name}@example.com`;
          const { userId } = await signInAs(page.context(), server, email);
          for (let i = 1; i <= 20; i++) await createTodo(server.kv, userId, `Todo ${i}`);
          await page.goto(server.url("/todoapp"));
          await page.fill("#new-todo", "Water the plants");
          await page.press("#new-todo", "Enter");
          await page.waitForURL((at) => at.searchParams.has("added"));
          const status = page.locator(".todo-list [role=status]");
          assert.equal(await status.textContent(), "Added “Water the plants”.");
          assert.equal(await page.evaluate(() => document.activeElement?.id), "new-todo");
          const input = await box(page, "#new-todo");
          const viewport = page.viewportSize()!;
          assert.ok(input.y >= 48, `room above the add field: ${input.y}px`);
          assert.ok(input.y + input.height <= viewport.height, "the add field is in view");
          assert.ok((await box(page, ".todo-list [role=status]")).y < viewport.height);
          // The rows' buttons post their shared forms.
          await page.getByRole("button", { name: "Mark complete: Todo 2", exact: true }).click();
          await page.locator("li.todo.done", { hasText: "Todo 2" }).waitFor();
          await page.getByRole("button", { name: "Delete: Todo 3", exact: true }).click();
          await page.getByRole("status").filter({ hasText: "Deleted “Todo 3”." }).waitFor();
          await assertHitAreas(page, `${name} list page without JavaScript`);
        }, { javaScriptEnabled: false }),
    );

    await t.step(
      `${name}: Connected apps, empty, says how to connect Claude`,
      () =>
        shared.run(async (page) => {
          await signInAs(page.context(), server, `apps.${name}@example.com`);
          await page.goto(server.url("/connections"));
          await page.waitForSelector("pages-island[data-island=McpUrl][data-hydrated]");
          const empty = page.locator(".empty-state");
          assert.match(await empty.textContent() ?? "", /No apps are connected yet\./);
          assert.match(await empty.textContent() ?? "", /Claude/);
          const url = empty.getByRole("textbox", { name: "MCP server URL" });
          assert.equal(await url.inputValue(), server.url("/mcp"));
          // No gap: the sentence follows the heading.
          const gap = (await box(page, ".empty-state")).y - (await box(page, "main h1")).y;
          assert.ok(gap < 80, `the empty state follows the heading (${gap}px)`);
          await assertHitAreas(page, `${name} connections`);
          await checkPage(page, `${name} connections`);
        }),
    );

    await t.step(
      `${name}: the consent page names the app, the access and the service`,
      () =>
        shared.run(async (page) => {
          const redirectUri = "http://127.0.0.1:9/callback";
          const clientId = await register(server, redirectUri);
          const url = new URL(server.url("/oauth/authorize"));
          url.search = new URLSearchParams({
            response_type: "code",
            client_id: clientId,
            redirect_uri: redirectUri,
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            code_challenge_method: "S256",
            scope: "read:todos write:todos",
            resource: server.url("/mcp"),
          }).toString();
          await page.goto(url.href);
          await page.fill("#email", `consent.${name}@example.com`);
          await page.click("button[type=submit]");
          await page.waitForURL((at) => at.pathname === "/oauth/authorize");
          await page.locator(".topbar .brand").waitFor();
          const text = await page.locator("main").textContent() ?? "";
          assert.match(text, /Allow Claude to use your todos\?/);
          assert.match(text, new RegExp(`access to your todos on ${new URL(server.origin).host}`));
          assert.match(text, /See your todos: read every todo and whether it is done read:todos/);
          assert.match(text, /Change your todos: add, edit, complete and delete todos write:todos/);
          await checkPage(page, `${name} consent`);
        }),
    );

    await t.step(
      `${name}: the outage page in plain words, and Try again once it is back`,
      () =>
        shared.run(async (page) => {
          await signInAs(page.context(), flaky, `outage.${name}@example.com`);
          outage.down = true;
          try {
            const answer = await page.goto(flaky.url("/todoapp?filter=active"));
            assert.equal(answer?.status(), 503);
            const text = await page.locator("main").textContent() ?? "";
            assert.match(text, /Sign-in is briefly unavailable/);
            assert.match(text, /Your todos are safe/);
            assert.doesNotMatch(text, /signing keys|fetch/i);
            await page.locator(".topbar .brand").waitFor();
            await checkPage(page, `${name} outage`);
            await assertHitAreas(page, `${name} outage`);
          } finally {
            outage.down = false;
          }
          await page.getByRole("link", { name: "Try again" }).click();
          await page.waitForURL(flaky.url("/todoapp?filter=active"));
          await page.getByRole("heading", { name: "Your todos", exact: true }).waitFor();
        }),
    );
  }
});
