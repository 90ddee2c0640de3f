/**
 * Connected apps in Chromium: Revoke stops the app's token at once, Undo in the status line
 * puts it back in the list with its token working again (with and without JavaScript), the
 * Undo is withdrawn after a few seconds, and axe-core finds 0 violations (light and dark).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { assertAccessible } from "./axe.ts";
import { launchBrowser, onServer, signInAs, startServer, type TestServer } from "./browser.ts";
import {
  authorizePath,
  mcpPingStatus,
  pkcePair,
  postTokenForm,
  REDIRECT_URI,
} from "../lib/testing/oauth.ts";

/** Signed in as `email`, approves a new app named `name` and returns its access token. */
async function connectApp(page: Page, server: TestServer, email: string, name: string) {
  await signInAs(page.context(), server, email);
  const registered = await fetch(server.url("/oauth/register"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: name, redirect_uris: [REDIRECT_URI] }),
  });
  assert.equal(registered.status, 201);
  const clientId = (await registered.json()).client_id;
  const { verifier, challenge } = await pkcePair();
  const resource = server.url("/mcp");
  // The "native app" receiving the code: answered in the browser, nothing listens there.
  await page.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ body: "Done" }));
  await page.goto(server.url(authorizePath(clientId, challenge, { resource })));
  await page.click("button[value=allow]");
  await page.waitForURL((at) => at.href.startsWith(REDIRECT_URI));
  const code = new URL(page.url()).searchParams.get("code")!;
  const tokens = await postTokenForm(onServer(server), {
    grant_type: "authorization_code",
    client_id: clientId,
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
    resource,
  });
  assert.equal(tokens.status, 200);
  return (await tokens.json()).access_token as string;
}

/** The Undo offer must be gone this long after it appears ("a few seconds"). */
const UNDO_WITHIN_MS = 12_000;

/** The status line's island, hydrated (attached: an empty status line takes no room). */
const HYDRATED = "pages-island[data-island=RevokeStatus][data-hydrated]";

/** Clicks Revoke on the row of `name` and waits for the page that says so. */
async function revoke(page: Page, server: TestServer, name: string, hydrated = true) {
  await page.goto(server.url("/connections"));
  if (hydrated) await page.waitForSelector(HYDRATED, { state: "attached" });
  await page.locator("li.todo", { hasText: name }).getByRole("button", { name: "Revoke" }).click();
  await page.waitForURL((at) => at.searchParams.get("revoked") === "1");
  if (hydrated) await page.waitForSelector(HYDRATED, { state: "attached" });
}

Deno.test("Connected apps in Chromium: Revoke, then Undo", async (t) => {
  await using server = await startServer();
  await using browser = await launchBrowser();

  await t.step(
    "Undo in the status line puts the app back and its token works again",
    () =>
      browser.withPage(async (page) => {
        const token = await connectApp(page, server, "ada@example.com", "Undo <Agent>");
        assert.equal(
          await mcpPingStatus(onServer(server), token),
          200,
        );
        await revoke(page, server, "Undo <Agent>");
        const status = page.getByRole("status").filter({ hasText: "Access revoked" });
        assert.equal(
          await status.textContent(),
          "Access revoked for Undo <Agent>: its tokens no longer work.Undo",
        );
        assert.equal(await page.locator("li.todo").count(), 0);
        assert.equal(
          await mcpPingStatus(onServer(server), token),
          401,
          "revoked at once",
        );
        await assertAccessible(page, "revoked, Undo offered");

        await status.getByRole("button", { name: "Undo" }).click();
        await page.waitForURL((at) => at.searchParams.get("restored") === "1");
        await page.getByRole("status").filter({ hasText: "Access restored" }).waitFor();
        assert.equal(await page.locator("li.todo", { hasText: "Undo <Agent>" }).count(), 1);
        assert.equal(
          await mcpPingStatus(onServer(server), token),
          200,
          "the same token works again",
        );
        await assertAccessible(page, "restored");
      }),
  );

  await t.step(
    "without JavaScript, Revoke and Undo work the same",
    () =>
      browser.withPage(async (page) => {
        const token = await connectApp(page, server, "bob@example.com", "No-JS Agent");
        await revoke(page, server, "No-JS Agent", false);
        assert.equal(
          await mcpPingStatus(onServer(server), token),
          401,
        );
        await page.getByRole("button", { name: "Undo" }).click();
        await page.waitForURL((at) => at.searchParams.get("restored") === "1");
        assert.equal(await page.locator("li.todo", { hasText: "No-JS Agent" }).count(), 1);
        assert.equal(
          await mcpPingStatus(onServer(server), token),
          200,
        );
      }, { javaScriptEnabled: false }),
  );

  await t.step(
    "the Undo is withdrawn after a few seconds; the revocation stands",
    () =>
      browser.withPage(async (page) => {
        // The page's clock, moved on instead of waited out (it runs at real speed meanwhile).
        await page.clock.install();
        const token = await connectApp(page, server, "carol@example.com", "Brief Agent");
        await revoke(page, server, "Brief Agent");
        const undo = page.getByRole("button", { name: "Undo" });
        await undo.waitFor();
        await page.clock.runFor(UNDO_WITHIN_MS);
        await undo.waitFor({ state: "detached", timeout: 5000 });
        await page.getByRole("status").filter({ hasText: "Access revoked" }).waitFor();
        assert.equal(
          await mcpPingStatus(onServer(server), token),
          401,
        );
      }),
  );
});
