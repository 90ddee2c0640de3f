import assert from "node:assert/strict";
import { launchBrowser, startServer } from "./browser.ts";

Deno.test("e2e helper: serves the real app on loopback and fences pages to loopback", async (t) => {
  await using server = await startServer({ publicUrl: true });
  await using browser = await launchBrowser();
  assert.match(server.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(server.deps.config.publicUrl?.origin, server.origin);

  await t.step("a request to another host fails the test", async () => {
    await assert.rejects(
      browser.withPage(async (page) => {
        await page.goto("https://example.com/").catch(() => null);
      }),
      /request to a non-loopback host: https:\/\/example\.com\//,
    );
  });

  await t.step("a dialog fails the test unless allowed", async () => {
    const open = (allowDialogs: boolean) =>
      browser.withPage(async (page, { dialogs }) => {
        await page.goto(server.url("/login"));
        await page.evaluate(() => alert("hi"));
        return dialogs;
      }, { allowDialogs });
    await assert.rejects(open(false), /dialog opened: hi/);
    assert.deepEqual(await open(true), ["hi"]);
  });

  await t.step("an inline script blocked by the CSP fails the test", async () => {
    await assert.rejects(
      browser.withPage(async (page) => {
        await page.goto(server.url("/login"));
        const reported = page.waitForEvent("console", (message) => message.type() === "error");
        await page.evaluate(() => {
          const script = document.createElement("script");
          script.textContent = "1";
          document.body.append(script);
        });
        await reported;
      }),
      /CSP violation/,
    );
  });

  await t.step(
    "a shared page starts each run signed out and fresh after a failed run",
    async () => {
      await using shared = await browser.keepPage();
      const hydrated = "pages-island[data-island=McpUrl][data-hydrated]";
      const first = await shared.run(async (page, { context }) => {
        await context.addCookies([{ name: "left", value: "over", url: server.origin }]);
        await page.goto(server.url("/"));
        await page.waitForSelector(hydrated);
        return page;
      });
      await assert.rejects(
        shared.run(async (page, { context }) => {
          assert.equal(page, first, "the same page serves the next run");
          assert.deepEqual(await context.cookies(), [], "no cookie from the run before");
          await page.evaluate(() => alert("hi"));
        }),
        /dialog opened: hi/,
      );
      await shared.run(async (page) => {
        assert.notEqual(page, first, "a failed run's page is not used again");
        await page.goto(server.url("/"));
        await page.waitForSelector(hydrated);
      });
      // Without scripts the island never hydrates (given a second, which it needs far less of).
      await shared.run(async (page) => {
        await page.goto(server.url("/"));
        await assert.rejects(page.waitForSelector(hydrated, { timeout: 1000 }), /Timeout/);
      }, { javaScriptEnabled: false });
      await shared.run(async (page) => {
        await page.goto(server.url("/"));
        await page.waitForSelector(hydrated);
      });
    },
  );
});
