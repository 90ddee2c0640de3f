import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchBrowser, pollPage, signInAs, startServer, type TestServer } from "./browser.ts";

const XSS = [
  "<script>alert(1)</script>",
  "</script><script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
];

/** Signs in through the login form, starting from /todoapp, and waits for the list. */
async function signIn(page: Page, server: TestServer, email: string, hydrated = true) {
  await page.goto(server.url("/todoapp"));
  assert.equal(new URL(page.url()).pathname, "/login");
  await page.fill("#email", email);
  await page.click("button[type=submit]");
  await page.waitForURL(server.url("/todoapp"));
  if (hydrated) await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
}

/** Signs in without the form's pages (for steps about something else) and opens the list. */
async function openList(page: Page, server: TestServer, email: string) {
  await signInAs(page.context(), server, email);
  await page.goto(server.url("/todoapp"));
  await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
}

const item = (page: Page, text: string) => page.locator("li.todo", { hasText: text });
const texts = (page: Page) => page.locator("li.todo .text").allTextContents();

Deno.test("todo app in Chromium", async (t) => {
  await using server = await startServer();
  await using browser = await launchBrowser();
  await using shared = await browser.keepPage();

  await t.step(
    "signs in, adds, completes, reopens, edits and deletes without reloading",
    () =>
      shared.run(async (page) => {
        await signIn(page, server, "ada@example.com");
        await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));

        for (const text of ["Buy milk", "Call Bob", "Write tests"]) {
          await page.fill("#new-todo", text);
          await page.press("#new-todo", "Enter");
          await item(page, text).waitFor();
        }
        assert.equal(await page.inputValue("#new-todo"), "");
        assert.deepEqual(await texts(page), ["Buy milk", "Call Bob", "Write tests"]);

        await item(page, "Buy milk").locator("button.check").click();
        await page.locator("li.todo.done", { hasText: "Buy milk" }).waitFor();
        // Completed todos keep their place.
        assert.deepEqual(await texts(page), ["Buy milk", "Call Bob", "Write tests"]);

        await item(page, "Buy milk").locator("button.check").click();
        await page.locator("li.todo:not(.done)", { hasText: "Buy milk" }).waitFor();

        await item(page, "Call Bob").locator("a.edit").click();
        const editing = page.locator("li.todo:has(.edit-input)");
        await editing.locator("input[name=text]").fill("Call Bob about Friday");
        await editing.locator("button", { hasText: "Save" }).click();
        await item(page, "Call Bob about Friday").locator(".text").waitFor();

        await item(page, "Write tests").locator("button.delete").click();
        await item(page, "Write tests").waitFor({ state: "detached" });

        assert.equal(await page.evaluate(() => "notReloaded" in globalThis), true);
        const before = await texts(page);
        await page.reload();
        assert.deepEqual(await texts(page), before);
        assert.deepEqual(before, ["Buy milk", "Call Bob about Friday"]);
        assert.equal(await page.locator("li.todo.done").count(), 0);
      }),
  );

  await t.step(
    "keyboard: labelled controls, and focus stays in the list after edit and delete",
    () =>
      shared.run(async (page) => {
        await openList(page, server, "keys@example.com");
        /** The focused element as "tag todo-id" (its own id outside the list), once it is `expected`. */
        const focusedAs = (expected: string | null) => {
          const el = document.activeElement!;
          const seen = `${el.tagName.toLowerCase()} ${el.closest("li")?.id.slice(5) ?? el.id}`;
          return expected === null || seen === expected ? seen : false;
        };
        /** Focus moves after the list re-renders: wait for it (up to 5 s). */
        const focusIs = async (expected: string, message?: string) => {
          await pollPage(page, focusedAs, expected);
          assert.equal(await page.evaluate(focusedAs, null), expected, message);
        };
        await page.focus("#new-todo");
        for (const text of ["One", "Two", "Three"]) {
          await page.keyboard.type(text);
          await page.keyboard.press("Enter");
          await item(page, text).waitFor();
          await focusIs("input new-todo");
        }
        const ids = await page.locator("li.todo").evaluateAll((els) =>
          els.map((el) => el.id.slice(5))
        );
        // Every control has an accessible name that says which todo it acts on.
        assert.equal(await page.getByRole("button", { name: "Mark complete: Two" }).count(), 1);
        assert.equal(await page.getByRole("button", { name: "Delete: Two" }).count(), 1);
        assert.equal(await page.getByRole("link", { name: "Edit: Two" }).count(), 1);
        assert.equal(await page.getByLabel("New todo").count(), 1);

        // Edit puts the text in a focused field with the caret at the end; Enter saves.
        const two = item(page, "Two");
        await two.locator("a.edit").focus();
        await page.keyboard.press("Enter");
        await page.locator(".edit-input:focus").waitFor();
        await focusIs(`input ${ids[1]}`);
        await page.keyboard.type(" edited");
        await page.keyboard.press("Enter");
        await item(page, "Two edited").locator(".text").waitFor();
        await focusIs(`a ${ids[1]}`);

        await item(page, "Two edited").locator("button.delete").focus();
        await page.keyboard.press("Enter");
        await item(page, "Two edited").waitFor({ state: "detached" });
        await focusIs(`button ${ids[2]}`, "focus moves to the next todo");

        await item(page, "Three").locator("button.delete").focus();
        await page.keyboard.press("Enter");
        await item(page, "Three").waitFor({ state: "detached" });
        await focusIs(`button ${ids[0]}`, "or to the one before the last");

        await item(page, "One").locator("button.delete").focus();
        await page.keyboard.press("Enter");
        await item(page, "One").waitFor({ state: "detached" });
        await focusIs("input new-todo", "or to the input when none is left");
      }),
  );

  await t.step(
    "a todo typed when the session has ended is kept, said not saved, and survives signing in again",
    () =>
      shared.run(async (page, { context }) => {
        await openList(page, server, "expired@example.com");
        await context.clearCookies();
        await page.fill("#new-todo", "Typed before the session ended");
        await page.press("#new-todo", "Enter");
        await page.getByRole("alert").filter({ hasText: "Not saved: you were signed out." })
          .waitFor();
        assert.equal(await page.inputValue("#new-todo"), "Typed before the session ended");
        await page.getByRole("link", { name: "Sign in again" }).click();
        await page.waitForURL((url) => url.pathname === "/login");
        await page.fill("#email", "expired@example.com");
        await page.click("button[type=submit]");
        await page.waitForURL(server.url("/todoapp"));
        await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
        await page.waitForFunction(() =>
          (document.querySelector("#new-todo") as HTMLInputElement).value ===
            "Typed before the session ended"
        );
        assert.equal(await page.evaluate(() => document.activeElement?.id), "new-todo");
        assert.equal(await page.locator("li.todo").count(), 0, "nothing was added unasked");
        await page.reload();
        assert.equal(await page.inputValue("#new-todo"), "", "the draft is restored once");
      }),
  );

  await t.step(
    "shows the API's error message for invalid text",
    () =>
      shared.run(async (page) => {
        await openList(page, server, "errors@example.com");
        await page.fill("#new-todo", "   ");
        await page.press("#new-todo", "Enter");
        assert.match(await page.locator(".error").textContent() ?? "", /must not be empty/);
        assert.equal(await page.getAttribute("#new-todo", "aria-describedby"), "todo-error");
        assert.equal(await page.locator("li.todo").count(), 0);
      }),
  );

  await t.step(
    "renders todo text that looks like HTML as text, before and after reload",
    () =>
      shared.run(async (page) => {
        await openList(page, server, "mallory@example.com");
        for (const text of XSS) {
          await page.fill("#new-todo", text);
          await page.press("#new-todo", "Enter");
          await page.locator("li.todo .text", { hasText: text }).waitFor();
        }
        assert.deepEqual(await texts(page), XSS);
        await page.reload();
        await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
        assert.deepEqual(await texts(page), XSS);
        assert.equal(await page.locator("main img, main script").count(), 0);
        // The run fails the step if any dialog opened.
      }),
  );

  await t.step(
    "a second user sees none of the first user's todos",
    () =>
      shared.run(async (page) => {
        await openList(page, server, "grace@example.com");
        assert.equal(await page.locator("li.todo").count(), 0);
        assert.match(await page.locator(".empty").textContent() ?? "", /Nothing to do yet/);
        assert.equal(await page.locator(".who").textContent(), "grace@example.com");
        const api = await page.evaluate(() => fetch("/api/todos").then((res) => res.json()));
        assert.deepEqual(api, { todos: [] });
      }),
  );

  await t.step("signs out and back in as the same user", () =>
    shared.run(async (page) => {
      await signIn(page, server, "ada@example.com");
      await page.click("text=Sign out");
      await page.waitForURL((url) => url.pathname === "/login");
      await page.goto(server.url("/todoapp"));
      assert.equal(new URL(page.url()).pathname, "/login");
      await signIn(page, server, "ADA@example.com");
      assert.deepEqual(await texts(page), ["Buy milk", "Call Bob about Friday"]);
    }));

  await t.step(
    "without JavaScript, adds, completes and deletes through forms",
    () =>
      shared.run(async (page) => {
        await signIn(page, server, "nojs@example.com", false);
        assert.equal(await page.locator("pages-island[data-hydrated]").count(), 0);
        await page.fill("#new-todo", "Plain HTML works");
        await page.press("#new-todo", "Enter");
        await item(page, "Plain HTML works").waitFor();
        await page.fill("#new-todo", "Second");
        await page.press("#new-todo", "Enter");
        await item(page, "Second").waitFor();

        await item(page, "Plain HTML works").locator("button.check").click();
        await page.locator("li.todo.done", { hasText: "Plain HTML works" }).waitFor();

        await item(page, "Second").locator("button.delete").click();
        await item(page, "Second").waitFor({ state: "detached" });
        assert.deepEqual(await texts(page), ["Plain HTML works"]);
      }, { javaScriptEnabled: false }),
  );
});
