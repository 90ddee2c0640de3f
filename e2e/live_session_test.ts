/**
 * Sessions that expire and end, in Chromium: without JavaScript, an action posted after the
 * session ended is carried out after signing in again (lib/http/parked_forms.ts).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { LOCAL_SESSION_COOKIE } from "../lib/auth/local.ts";
import { deleteSession, getSessionUser } from "../lib/auth/local_sessions.ts";
import { createTodo, listTodos } from "../lib/todos/mod.ts";
import { launchBrowser, startServer, type TestServer } from "./browser.ts";

const item = (page: Page, text: string) => page.locator("li.todo", { hasText: text });

/** Signs in through the built-in form (works without JavaScript), starting at `path`. */
async function signInAt(page: Page, server: TestServer, path: string, email: string) {
  if (new URL(page.url()).pathname !== "/login") await page.goto(server.url(path));
  assert.equal(new URL(page.url()).pathname, "/login");
  await page.fill("#email", email);
  await page.click("button[type=submit]");
  await page.waitForURL((url) => url.pathname === "/todoapp");
}

/** The local session token the page's browser holds. */
async function sessionToken(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  return cookies.find((cookie) => cookie.name === LOCAL_SESSION_COOKIE)!.value;
}

Deno.test("sessions in Chromium: ended sessions lose no action", async (t) => {
  await using browser = await launchBrowser();

  await t.step(
    "without JavaScript, actions posted after the session ended are carried out after signing in",
    async () => {
      await using server = await startServer();
      await browser.withPage(async (page) => {
        const email = "nojs@example.com";
        await signInAt(page, server, "/todoapp?filter=active", email);
        const userId = (await getSessionUser(server.kv, await sessionToken(page)))!.id;
        await createTodo(server.kv, userId, "Alpha");
        await createTodo(server.kv, userId, "Beta");
        await page.reload();
        const texts = async () =>
          (await listTodos(server.kv, userId)).map((todo) =>
            todo.text + (todo.completed ? " ✓" : "")
          );
        const endSession = async () => deleteSession(server.kv, await sessionToken(page));

        await endSession();
        await item(page, "Alpha").locator("button.check").click();
        await page.waitForURL((url) => url.pathname === "/login");
        assert.equal(new URL(page.url()).searchParams.get("returnTo"), "/todoapp?resume=1");
        await signInAt(page, server, "", email);
        assert.equal(
          new URL(page.url()).searchParams.get("filter"),
          "active",
          "the filter is kept",
        );
        assert.deepEqual(await texts(), ["Alpha ✓", "Beta"]);

        await endSession();
        await page.fill("#new-todo", "Gamma");
        await page.press("#new-todo", "Enter");
        await signInAt(page, server, "", email);
        await item(page, "Gamma").waitFor();
        assert.deepEqual(await texts(), ["Alpha ✓", "Beta", "Gamma"]);

        await item(page, "Beta").locator("a.edit").click();
        await endSession();
        await page.locator("li.todo input.edit-input").fill("Beta, edited");
        await page.locator("li.todo button", { hasText: "Save" }).click();
        await signInAt(page, server, "", email);
        await item(page, "Beta, edited").waitFor();
        assert.deepEqual(await texts(), ["Alpha ✓", "Beta, edited", "Gamma"]);
        await page.reload();
        assert.deepEqual(await texts(), ["Alpha ✓", "Beta, edited", "Gamma"], "replayed once");
      }, { javaScriptEnabled: false });
    },
  );
});
