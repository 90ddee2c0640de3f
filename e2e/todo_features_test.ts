/**
 * The todo page as a TodoMVC user expects it, in Chromium: items keep their place, filters,
 * inline edit, bulk actions, Undo, stale tabs, the back/forward cache after signing out, the
 * same without JavaScript, and axe-core at 0 violations (light and dark) in every state of the
 * list and the sign-in error (the other pages, on a phone and a desktop: e2e/page_ux_test.ts).
 *
 * Over 350 lines on purpose: one Chromium serves every step, so the steps share one file (a
 * browser start costs more than the steps).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { assertAccessible } from "./axe.ts";
import { launchBrowser, pollPage, signInAs, startServer, type TestServer } from "./browser.ts";

async function signIn(page: Page, server: TestServer, email: string) {
  await page.goto(server.url("/login?returnTo=%2Ftodoapp"));
  await page.fill("#email", email);
  await page.click("button[type=submit]");
  await page.waitForURL(server.url("/todoapp"));
  await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
}

/**
 * Signs `email` in without the form's pages, adds `todos` through the API (quicker than typing)
 * and opens the hydrated list.
 */
async function openList(page: Page, server: TestServer, email: string, todos: string[] = []) {
  await signInAs(page.context(), server, email);
  for (const todoText of todos) {
    const response = await page.context().request.post(server.url("/api/todos"), {
      data: { todoText },
    });
    assert.equal(response.status(), 201, await response.text());
  }
  await page.goto(server.url("/todoapp"));
  await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
}

/** Adds todos through the API (quicker than typing), then reloads the page. */
async function seed(page: Page, texts: string[]) {
  await page.evaluate(async (texts) => {
    for (const todoText of texts) {
      await fetch("/api/todos", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ todoText }),
      });
    }
  }, texts);
  await page.reload();
}

const item = (page: Page, text: string) =>
  page.locator("li.todo", { has: page.locator(".text", { hasText: new RegExp(`^${text}$`) }) });
const texts = (page: Page) => page.locator("li.todo .text").allTextContents();
const doneTexts = (page: Page) => page.locator("li.todo.done .text").allTextContents();
const status = (page: Page) => page.locator(".status").textContent();
/** The focused element and its row's text, once it is `expected` (any, for `null`). */
const focusedRow = (expected: string | null) => {
  const el = document.activeElement!;
  const row = el.closest("li")?.querySelector(".text")?.textContent;
  const seen = `${el.tagName.toLowerCase()}.${el.className} ${row ?? el.id}`;
  return expected === null || seen === expected ? seen : false;
};
/** Focus moves after the list re-renders: wait for it (up to 5 s). */
async function waitForFocus(page: Page, expected: string) {
  await pollPage(page, focusedRow, expected);
  assert.equal(await page.evaluate(focusedRow, null), expected);
}

Deno.test("todo page features in Chromium", async (t) => {
  await using server = await startServer();
  await using browser = await launchBrowser();
  await using shared = await browser.keepPage();

  await t.step(
    "clicking down the list completes each todo in turn: items keep their place",
    () =>
      shared.run(async (page) => {
        await openList(page, server, "order@example.com");
        await assertAccessible(page, "empty list");
        await seed(page, ["one", "two", "three"]);
        await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
        for (const [i, text] of ["one", "two", "three"].entries()) {
          await page.locator("li.todo").nth(i).locator("button.check").click();
          await item(page, text).and(page.locator(".done")).waitFor();
        }
        assert.deepEqual(await texts(page), ["one", "two", "three"]);
        assert.deepEqual(await doneTexts(page), ["one", "two", "three"]);
        assert.match(await status(page) ?? "", /Marked “three” complete\./);
        await assertAccessible(page, "all completed");
      }),
  );

  await t.step(
    "filters are links: they switch in place, keep the state in the URL and Back",
    () =>
      shared.run(async (page) => {
        await openList(page, server, "filters@example.com", ["a", "b", "c"]);
        await item(page, "a").locator("button.check").click();
        await item(page, "a").and(page.locator(".done")).waitFor();
        await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));

        await page.getByRole("link", { name: "Active" }).click();
        await page.waitForURL(server.url("/todoapp?filter=active"));
        assert.deepEqual(await texts(page), ["b", "c"]);
        assert.equal(
          await page.getByRole("link", { name: "Active" }).getAttribute("aria-current"),
          "page",
        );
        assert.match(await status(page) ?? "", /Showing active todos: 2\./);
        await assertAccessible(page, "active filter");

        await page.getByRole("link", { name: "Completed" }).click();
        await page.waitForURL(server.url("/todoapp?filter=completed"));
        assert.deepEqual(await texts(page), ["a"]);
        await page.goBack();
        await page.waitForURL(server.url("/todoapp?filter=active"));
        await page.waitForFunction(() => document.querySelectorAll("li.todo").length === 2);
        assert.equal(await page.evaluate(() => "notReloaded" in globalThis), true);

        // Completing a todo under Active takes it out of view; focus goes to the next one.
        await item(page, "b").locator("button.check").click();
        await item(page, "b").waitFor({ state: "detached" });
        await waitForFocus(page, "button.check c");

        // The URL works on its own, as a fresh load.
        await page.goto(server.url("/todoapp?filter=completed"));
        assert.deepEqual(await texts(page), ["a", "b"]);
      }),
  );

  await t.step(
    "inline edit: double-click or Edit, Escape restores, Enter or moving away saves, no jump",
    () =>
      shared.run(async (page) => {
        await openList(page, server, "edit@example.com", ["first", "second", "third"]);
        const row = page.locator("li.todo").nth(1);
        const before = (await row.boundingBox())!;

        await row.locator(".text").dblclick();
        const input = row.locator("input.edit-input");
        await input.waitFor();
        const id = (await row.getAttribute("id"))!.slice("todo-".length);
        await waitForFocus(page, `input.edit-input edit-${id}`);
        assert.equal(await input.inputValue(), "second");
        const editing = (await row.boundingBox())!;
        assert.ok(Math.abs(editing.y - before.y) < 1, "the row stays where it was");
        assert.ok(editing.height < before.height + 12, "and on one line");
        await assertAccessible(page, "editing a todo");

        await input.fill("changed but cancelled");
        await page.keyboard.press("Escape");
        await row.locator(".text", { hasText: "second" }).waitFor();
        await waitForFocus(page, "a.edit second");

        await page.keyboard.press("Enter"); // on the focused Edit link
        await input.waitFor();
        await input.fill("second, saved by Enter");
        await page.keyboard.press("Enter");
        await row.locator(".text", { hasText: "second, saved by Enter" }).waitFor();

        await row.locator(".text").dblclick();
        await input.fill("second, saved by moving away");
        await page.locator("#new-todo").click();
        await row.locator(".text", { hasText: "second, saved by moving away" }).waitFor();
        const stored = await page.evaluate(() =>
          fetch("/api/todos").then((res) => res.json()).then((body) =>
            body.todos.map((t: { text: string }) => t.text)
          )
        );
        assert.deepEqual(stored, ["first", "second, saved by moving away", "third"]);
      }),
  );

  await t.step(
    "mark all complete, clear completed, and Undo restores text, state and place",
    () =>
      browser.withPage(async (page) => {
        // The page's clock, moved on instead of waited out (it runs at real speed meanwhile).
        await page.clock.install();
        await openList(page, server, "bulk@example.com", ["a", "b", "c", "d"]);
        await item(page, "b").locator("button.check").click();
        await item(page, "b").and(page.locator(".done")).waitFor();

        await page.getByRole("button", { name: "Mark all complete" }).click();
        await page.getByRole("button", { name: "Mark all incomplete" }).waitFor();
        assert.deepEqual(await doneTexts(page), ["a", "b", "c", "d"]);
        await page.getByRole("button", { name: "Mark all incomplete" }).click();
        await page.getByRole("button", { name: "Mark all complete" }).waitFor();
        assert.deepEqual(await doneTexts(page), []);

        await item(page, "a").locator("button.check").click();
        await item(page, "a").and(page.locator(".done")).waitFor();
        await item(page, "c").locator("button.check").click();
        await item(page, "c").and(page.locator(".done")).waitFor();
        await page.getByRole("button", { name: "Clear completed (2)" }).click();
        await page.locator(".status", { hasText: "Deleted 2 completed todos." }).waitFor();
        assert.deepEqual(await texts(page), ["b", "d"]);
        await assertAccessible(page, "undo offered");

        await page.locator(".status").getByRole("button", { name: "Undo" }).click();
        await page.locator(".status", { hasText: "Restored 2 todos." }).waitFor();
        assert.deepEqual(await texts(page), ["a", "b", "c", "d"]);
        assert.deepEqual(await doneTexts(page), ["a", "c"]);

        await item(page, "c").locator("button.delete").click();
        await page.locator(".status", { hasText: "Deleted “c”." }).waitFor();
        assert.deepEqual(await texts(page), ["a", "b", "d"]);
        await page.locator(".status").getByRole("button", { name: "Undo" }).click();
        await page.locator(".status", { hasText: "Restored “c”." }).waitFor();
        assert.deepEqual(await texts(page), ["a", "b", "c", "d"]);
        await waitForFocus(page, "button.check c");

        // The offer lasts a few seconds, then goes (its status text with it).
        await item(page, "d").locator("button.delete").click();
        await page.locator(".status", { hasText: "Deleted “d”." }).waitFor();
        await page.clock.runFor(12_000);
        await page.locator(".status button").waitFor({ state: "detached", timeout: 5000 });
        assert.equal(await status(page), "");
      }),
  );

  await t.step(
    "a todo deleted in another tab: the action says so in words and the row goes",
    () =>
      shared.run(async (page, { context }) => {
        // This tab misses the live change stream (a proxy that drops it, a laptop waking
        // up), so it still shows a todo the other tab deletes.
        await page.route("**/api/todos/events*", (route) => route.abort());
        await openList(page, server, "stale@example.com", ["stays", "goes"]);
        const other = await context.newPage();
        await other.goto(server.url("/todoapp"));
        await other.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
        await item(other, "goes").locator("button.delete").click();
        await item(other, "goes").waitFor({ state: "detached" });

        await item(page, "goes").locator("button.check").click();
        const alert = page.getByRole("alert");
        await alert.waitFor();
        assert.match(await alert.textContent() ?? "", /deleted elsewhere \(in another tab/);
        assert.doesNotMatch(await alert.textContent() ?? "", /[0-9A-Z]{26}|No todo with id/);
        await item(page, "goes").waitFor({ state: "detached" });
        assert.deepEqual(await texts(page), ["stays"]);
        await assertAccessible(page, "stale todo error");
      }),
  );

  await t.step(
    "a page restored from the back/forward cache after sign-out says so",
    () =>
      shared.run(async (page, { context }) => {
        await openList(page, server, "bfcache@example.com", ["private todo"]);
        await page.waitForSelector("pages-island[data-island=SessionGuard][data-hydrated]", {
          state: "attached",
        });
        // What Chrome does on Back after signing out elsewhere: the page comes back as it was.
        await context.clearCookies();
        await page.evaluate(() => {
          dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true }));
          dispatchEvent(new PageTransitionEvent("pageshow", { persisted: true }));
        });
        await page.getByRole("heading", { name: "You are signed out" }).waitFor();
        assert.equal(await page.locator("li.todo").count(), 0);
        assert.equal(await page.title(), "Signed out · Todos");
        assert.equal(
          await page.getByRole("link", { name: "Sign in" }).getAttribute("href"),
          "/login?returnTo=%2Ftodoapp",
        );
        await assertAccessible(page, "signed out after back/forward");

        // The real thing: sign out, then Back.
        await signIn(page, server, "bfcache@example.com");
        await page.getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL((url) => url.pathname === "/login");
        await page.goBack();
        await page.waitForFunction(() =>
          location.pathname === "/login" || document.title === "Signed out · Todos"
        );
        assert.equal(await page.getByText("private todo").count(), 0);
      }),
  );

  await t.step(
    "without JavaScript: filters, edit, undo, and focus comes back to the row acted on",
    () =>
      shared.run(async (page) => {
        await signInAs(page.context(), server, "nojs-features@example.com");
        await page.goto(server.url("/todoapp"));
        for (const text of ["a", "b", "c"]) {
          await page.fill("#new-todo", text);
          await page.press("#new-todo", "Enter");
          await item(page, text).waitFor();
          await waitForFocus(page, "input. new-todo");
        }
        await item(page, "b").locator("button.check").click();
        await item(page, "b").and(page.locator(".done")).waitFor();
        await waitForFocus(page, "button.check b");
        assert.deepEqual(await texts(page), ["a", "b", "c"]);

        await page.getByRole("link", { name: "Active" }).click();
        await page.waitForURL(server.url("/todoapp?filter=active"));
        assert.deepEqual(await texts(page), ["a", "c"]);
        await item(page, "a").locator("button.check").click();
        await page.waitForURL((url) => url.searchParams.get("filter") === "active");
        assert.deepEqual(await texts(page), ["c"]);
        await waitForFocus(page, "button.check c");

        await item(page, "c").getByRole("link", { name: "Edit: c" }).click();
        const input = page.locator("input.edit-input");
        await input.waitFor();
        // Autofocus lands when the new document next renders, which may follow the input's arrival.
        await pollPage(page, () => document.activeElement?.className === "edit-input", null);
        assert.equal(await page.evaluate(() => document.activeElement?.className), "edit-input");
        await input.fill("c edited");
        await page.keyboard.press("Enter");
        await item(page, "c edited").waitFor();
        await waitForFocus(page, "button.check c edited");

        await page.getByRole("link", { name: "All" }).click();
        await item(page, "b").locator("button.delete").click();
        await page.locator(".status", { hasText: "Deleted “b”." }).waitFor();
        // (axe needs JavaScript in the page; the same markup is checked in the steps above.)
        await page.locator(".status").getByRole("button", { name: "Undo" }).click();
        await item(page, "b").waitFor();
        assert.deepEqual(await texts(page), ["a", "b", "c edited"]);
        assert.deepEqual(await doneTexts(page), ["a", "b"]);
      }, { javaScriptEnabled: false }),
  );

  await t.step(
    "landing page: what the app is, sign-in, and a Copy button for the MCP URL",
    () =>
      shared.run(async (page, { context }) => {
        await context.grantPermissions(["clipboard-read", "clipboard-write"], {
          origin: server.origin,
        });
        await page.goto(server.url("/"));
        assert.equal(await page.title(), "Welcome · Todos");
        await page.waitForSelector("pages-island[data-island=McpUrl][data-hydrated]");
        await page.getByRole("button", { name: "Copy MCP URL" }).click();
        await page.getByRole("status").filter({ hasText: "Copied the MCP URL." }).waitFor();
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), server.url("/mcp"));
        await page.keyboard.press("Tab"); // from the page's start: the skip link is first
        await page.goto(server.url("/"));
        await page.keyboard.press("Tab");
        assert.equal(
          await page.evaluate(() => document.activeElement?.textContent),
          "Skip to main content",
        );
        await page.getByRole("link", { name: "Sign in to your todos" }).click();
        await page.waitForURL((url) => url.pathname === "/login");
        await page.fill("#email", "not an email");
        await page.locator("#email").evaluate((el) => el.removeAttribute("type"));
        await page.click("button[type=submit]");
        await page.getByRole("alert").waitFor();
        await assertAccessible(page, "sign-in error");
        await page.fill("#email", "someone.with.a.rather.long.address@mail.example-company.com");
        await page.click("button[type=submit]");
        await page.waitForURL(server.url("/todoapp"));
        await page.goto(server.url("/connections"));
        // A long email does not push the links onto several lines (desktop and phone); it is
        // cut with an ellipsis (on a phone, on a line of its own), never wrapped.
        for (const width of [1280, 375]) {
          await page.setViewportSize({ width, height: 800 });
          const tops = await page.locator(".topnav > :not(.who)").evaluateAll((els) =>
            els.map((el) => Math.round(el.getBoundingClientRect().top))
          );
          assert.equal(new Set(tops).size, 1, `links on one line at ${width}px: ${tops}`);
          const who = (await page.locator(".who").boundingBox())!;
          assert.ok(who.height < 30, `the email takes one line at ${width}px`);
        }
      }),
  );
});
