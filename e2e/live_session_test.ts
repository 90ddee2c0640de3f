/**
 * Sessions that expire and end, in Chromium (docs/live-sync.md). In Stytch mode, against the
 * loopback sessions API stand-in with JWTs that live {@linkcode JWT_SECONDS} seconds: one page
 * stays open across {@linkcode LIFETIMES} JWT lifetimes (a compressed "hour" of twelve five-minute
 * JWTs) while another client changes the list over REST and the page acts after expiries; the
 * counters (changes, their delay, dropped actions, stale or paused time) are printed and
 * asserted. Then Stytch down ("Live updates paused", Retry), each no-JS action with an expired
 * JWT, a session that truly ended ("signed out", a JS write not saved but kept, a no-JS action
 * parked and carried out after signing in again); and with the built-in sign-in, the whole no-JS
 * round trip.
 *
 * One file, so one Chromium serves every step (a browser start costs more than a step).
 * Run with `DENO_CERT=./lib/testing/tls/ca.pem` (the stand-in's CA; `deno task test` sets it).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { LOCAL_SESSION_COOKIE } from "../lib/auth/local.ts";
import { createStytchIdentity } from "../lib/auth/stytch.ts";
import { deleteSession, getSessionUser } from "../lib/auth/local_sessions.ts";
import { startTestIssuer } from "../lib/testing/issuer.ts";
import { setCookiesOf, stytchEnv, TEST_USER_ID } from "../lib/testing/stytch_mode.ts";
import type { StandInSession } from "../lib/testing/stytch_api.ts";
import { createTodo, listTodos } from "../lib/todos/mod.ts";
import { focusedEditField, launchBrowser, startServer, type TestServer } from "./browser.ts";

/**
 * Lifetime of the stand-in's session JWTs (Stytch's: 300 s). `exp` counts whole seconds, so a
 * JWT lives between one and two seconds: each still outlasts a renewal many times over.
 */
const JWT_SECONDS = 2;
/** JWT lifetimes the page stays open for: twelve five-minute JWTs make an hour. */
const LIFETIMES = 12;
/**
 * A change must show on the page within this time, or the page must say it is paused: the
 * page's own bound (browser/live_stream.ts `PAUSE_AFTER_MS`, 4 s) plus a second of slack
 * for a shared 2-core machine. A change slower than this counts as stale.
 */
const STALE_BOUND_MS = 5000;
/**
 * What the page actually does at each expiry: reconnect at once, so a change made meanwhile
 * waits for one renewal (tens of milliseconds), never for a retry's backoff (2 s).
 */
const PROMPT_MS = 1500;

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

/** Cookies of a browser signed in to `session` at Stytch. */
const stytchCookies = (server: TestServer, session: StandInSession) => [
  { name: "stytch_session", value: session.sessionToken, url: server.origin },
  { name: "stytch_session_jwt", value: session.sessionJwt, url: server.origin },
];

/** Another client of the same person over REST, keeping the cookies the server renews. */
function restClient(server: TestServer, session: StandInSession) {
  const jar = new Map([
    ["stytch_session", session.sessionToken],
    ["stytch_session_jwt", session.sessionJwt],
  ]);
  return async (text: string) => {
    const res = await fetch(server.url("/api/todos"), {
      method: "POST",
      headers: {
        Cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; "),
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ todoText: text }),
    });
    for (const [name, value] of setCookiesOf(res).values) jar.set(name, value);
    assert.equal(res.status, 201, await res.text());
  };
}

/** Counts, in the page, every time the live-status region shows something. */
const watchLiveStatus = (page: Page) =>
  page.evaluate(() => {
    const region = document.querySelector(".live-status")!;
    const counts = { shown: 0 };
    Object.assign(globalThis, { liveStatusCounts: counts });
    new MutationObserver(() => {
      if (region.textContent) counts.shown++;
    }).observe(region, { childList: true, subtree: true, characterData: true });
  });
const liveStatusShown = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { liveStatusCounts: { shown: number } }).liveStatusCounts.shown
  );

/**
 * The page's actions, with JavaScript, each done and waited for until the page shows the
 * server's answer; one round of them works on its own todo, `Page <round>`.
 */
type PageAction = (page: Page, round: number) => Promise<void>;
const current = (page: Page, label: string) =>
  page.locator("nav.filters a[aria-current=page]", { hasText: label }).waitFor();
const PAGE_ACTIONS: [string, PageAction][] = [
  ["add", async (page, round) => {
    await page.fill("#new-todo", `Page ${round}`);
    await page.press("#new-todo", "Enter");
    await item(page, `Page ${round}`).waitFor();
  }],
  ["complete", async (page, round) => {
    await item(page, `Page ${round}`).locator("button.check").click();
    await page.locator("li.todo.done", { hasText: `Page ${round}` }).waitFor();
  }],
  ["uncomplete", async (page, round) => {
    await item(page, `Page ${round}`).locator("button.check").click();
    await page.locator("li.todo:not(.done)", { hasText: `Page ${round}` }).waitFor();
  }],
  ["edit", async (page, round) => {
    await item(page, `Page ${round}`).locator("a.edit").click();
    await (await focusedEditField(page)).fill(`Page ${round} edited`);
    await page.locator("li.todo button", { hasText: "Save" }).click();
    await item(page, `Page ${round} edited`).waitFor();
  }],
  ["delete", async (page, round) => {
    await item(page, `Page ${round} edited`).locator("button.delete").click();
    await item(page, `Page ${round} edited`).waitFor({ state: "detached" });
  }],
  ["undo", async (page, round) => {
    await page.getByRole("button", { name: "Undo" }).click();
    await item(page, `Page ${round} edited`).waitFor();
  }],
  ["clear completed", async (page, round) => {
    await item(page, `Page ${round} edited`).locator("button.check").click();
    await page.locator("li.todo.done", { hasText: `Page ${round} edited` }).waitFor();
    await page.getByRole("button", { name: /^Clear completed/ }).click();
    await item(page, `Page ${round} edited`).waitFor({ state: "detached" });
  }],
  ["filter", async (page) => {
    await page.getByRole("link", { name: "Active" }).click();
    await current(page, "Active");
    await page.getByRole("link", { name: "All" }).click();
    await current(page, "All");
  }],
];

const median = (values: number[]) => values.toSorted((a, b) => a - b)[values.length >> 1];

Deno.test("sessions in Chromium: live across expiries, paused and signed out said, no action lost", async (t) => {
  await using browser = await launchBrowser();
  // One page without JavaScript for the no-JS steps of both modes (cleared between them).
  await using plainTab = await browser.keepPage({ javaScriptEnabled: false });
  const issuer = await startTestIssuer();
  issuer.api.jwtLifetimeSeconds = JWT_SECONDS;
  try {
    // Renewal outcomes kept for no time (in-flight calls are still shared), so a Retry after
    // Stytch is back asks Stytch again rather than being answered by the outage's outcome.
    await using server = await startServer({
      env: stytchEnv(issuer),
      identity: (config) => createStytchIdentity(config.stytch!, { renewalMemoMs: 0 }),
    });
    const session = await issuer.api.startSession();
    const hydrated = (page: Page) =>
      page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
    const texts = async () => (await listTodos(server.kv, TEST_USER_ID)).map((todo) => todo.text);

    await browser.withPage(async (page, { context }) => {
      await context.addCookies(stytchCookies(server, session));
      await page.goto(server.url("/todoapp"));
      await hydrated(page);
      await watchLiveStatus(page);

      await t.step(
        `stays live across ${LIFETIMES} JWT lifetimes; every action after an expiry is carried out`,
        async () => {
          const remote = restClient(server, await issuer.api.startSession());
          const renewalsBefore = issuer.api.calls.authenticate;
          const started = performance.now();
          const delays: number[] = [];
          let stale = 0;
          let dropped = 0;
          let actions = 0;
          for (let n = 1; performance.now() - started < LIFETIMES * JWT_SECONDS * 1000; n++) {
            const sent = performance.now();
            await remote(`Remote ${n}`);
            try {
              await item(page, `Remote ${n}`).waitFor({ timeout: STALE_BOUND_MS });
            } catch {
              stale++;
              await item(page, `Remote ${n}`).waitFor();
            }
            delays.push(performance.now() - sent);
            const [name, act] = PAGE_ACTIONS[(n - 1) % PAGE_ACTIONS.length];
            try {
              await act(page, Math.ceil(n / PAGE_ACTIONS.length));
              actions++;
            } catch (error) {
              dropped++;
              console.error(`dropped ${name}:`, error);
            }
          }
          const seconds = (performance.now() - started) / 1000;
          const shown = await liveStatusShown(page);
          console.log(
            `live across ${(seconds / JWT_SECONDS).toFixed(1)} JWT lifetimes of ${JWT_SECONDS} s ` +
              `(${seconds.toFixed(1)} s; renewals at Stytch: ${
                issuer.api.calls.authenticate - renewalsBefore
              }): ${delays.length} remote changes shown, delay median ${
                median(delays).toFixed(0)
              } ms, worst ${
                Math.max(...delays).toFixed(0)
              } ms; over ${STALE_BOUND_MS} ms (stale): ${stale}; ` +
              `page actions carried out ${actions}, dropped ${dropped}; "paused"/"signed out" shown ${shown} times`,
          );
          assert.ok(seconds >= LIFETIMES * JWT_SECONDS);
          assert.equal(stale, 0, "no stale period");
          assert.ok(Math.max(...delays) < PROMPT_MS, "the reconnect at each expiry is prompt");
          assert.equal(dropped, 0, "no dropped action");
          assert.equal(shown, 0, "never paused or signed out while the session lives");
          assert.ok(issuer.api.calls.authenticate - renewalsBefore >= LIFETIMES - 1);
        },
      );

      await t.step(
        'Stytch down: "Live updates paused" at the next expiry, gone after Retry',
        async () => {
          await issuer.api.setMode("down");
          const paused = page.getByRole("status").filter({ hasText: "Live updates paused" });
          await paused.waitFor({ timeout: JWT_SECONDS * 1000 + STALE_BOUND_MS });
          await createTodo(server.kv, TEST_USER_ID, "Made while paused");
          await issuer.api.setMode("up");
          await paused.getByRole("button", { name: "Retry" }).click();
          await paused.waitFor({ state: "detached", timeout: STALE_BOUND_MS });
          await item(page, "Made while paused").waitFor({ timeout: STALE_BOUND_MS });
        },
      );

      // A page without JavaScript (its own context and Stytch session), nested.
      await plainTab.run(async (plain, { context: noJs }) => {
        let plainSession = await issuer.api.startSession({ jwtExpiresIn: -1 });
        /** The no-JS browser's JWT has expired; its Stytch session lives. */
        const expire = async () => {
          plainSession = await issuer.api.startSession({ jwtExpiresIn: -1 });
          await noJs.addCookies(stytchCookies(server, plainSession));
        };
        await noJs.addCookies(stytchCookies(server, plainSession));
        await plain.goto(server.url("/todoapp"));

        await t.step(
          "without JavaScript, each action with an expired JWT is carried out on that request",
          async () => {
            const renewals = issuer.api.calls.authenticate;
            const post = async (act: () => Promise<unknown>, done: () => Promise<unknown>) => {
              await expire();
              await act();
              await done();
            };
            const row = (text: string) => item(plain, text);
            await post(async () => {
              await plain.fill("#new-todo", "Plain");
              await plain.press("#new-todo", "Enter");
            }, () => row("Plain").waitFor());
            await post(
              () => row("Plain").locator("button.check").click(),
              () => plain.locator("li.todo.done", { hasText: "Plain" }).waitFor(),
            );
            await post(
              () => row("Plain").locator("button.check").click(),
              () => plain.locator("li.todo:not(.done)", { hasText: "Plain" }).waitFor(),
            );
            await row("Plain").locator("a.edit").click();
            await post(async () => {
              await (await focusedEditField(plain)).fill("Plain edited");
              await plain.locator("li.todo button", { hasText: "Save" }).click();
            }, () => row("Plain edited").waitFor());
            await post(
              () => row("Plain edited").locator("button.delete").click(),
              () => row("Plain edited").waitFor({ state: "detached" }),
            );
            await post(
              () => plain.getByRole("button", { name: "Undo" }).click(),
              () => row("Plain edited").waitFor(),
            );
            await post(
              () => row("Plain edited").locator("button.check").click(),
              () => plain.locator("li.todo.done", { hasText: "Plain edited" }).waitFor(),
            );
            await post(
              () => plain.getByRole("button", { name: /^Clear completed/ }).click(),
              () => row("Plain edited").waitFor({ state: "detached" }),
            );
            await post(
              () => plain.getByRole("link", { name: "Active" }).click(),
              () => plain.waitForURL((url) => url.searchParams.get("filter") === "active"),
            );
            // Each post renewed its expired JWT (the open page's stream renews too, meanwhile).
            assert.ok(issuer.api.calls.authenticate - renewals >= 9, "a renewal per post");
            assert.ok(!(await texts()).includes("Plain edited"));
          },
        );

        await t.step(
          "a session ended at Stytch: the page says signed out, a write is kept, not saved",
          async () => {
            issuer.api.revokeSession(session.sessionId);
            const signedOut = page.getByRole("status").filter({ hasText: "You were signed out" });
            await signedOut.waitFor({ timeout: JWT_SECONDS * 1000 + STALE_BOUND_MS });
            assert.equal(
              await signedOut.getByRole("link", { name: "Sign in again" }).getAttribute("href"),
              "/login?returnTo=%2Ftodoapp",
            );
            await page.fill("#new-todo", "Typed after the end");
            await page.press("#new-todo", "Enter");
            await page.getByRole("alert").filter({ hasText: "Not saved: you were signed out." })
              .waitFor();
            assert.equal(await page.inputValue("#new-todo"), "Typed after the end");
            assert.ok(!(await texts()).includes("Typed after the end"));
          },
        );

        await t.step(
          "without JavaScript, an action posted after the end is carried out after signing in again",
          async () => {
            // An expired JWT, so the server asks Stytch, which says the session has ended.
            await expire();
            issuer.api.revokeSession(plainSession.sessionId);
            await item(plain, "Made while paused").locator("button.check").click();
            await plain.waitForURL((url) => url.pathname === "/login");
            assert.equal(new URL(plain.url()).searchParams.get("returnTo"), "/todoapp?resume=1");
            // Signing in again at Stytch gives the browser a new session; /login then sends it on.
            const again = await issuer.api.startSession();
            await noJs.addCookies(stytchCookies(server, again));
            await plain.reload();
            await plain.waitForURL((url) =>
              url.pathname === "/todoapp" && !url.searchParams.has("resume")
            );
            assert.equal(new URL(plain.url()).searchParams.get("filter"), "active");
            const done = (await listTodos(server.kv, TEST_USER_ID))
              .find((todo) => todo.text === "Made while paused");
            assert.equal(done?.completed, true);

            // With JavaScript, signing in again brings back the typed todo.
            await context.addCookies(stytchCookies(server, again));
            await page.getByRole("link", { name: "Sign in again" }).click();
            await page.waitForURL((url) => url.pathname === "/todoapp");
            await hydrated(page);
            assert.equal(await page.inputValue("#new-todo"), "Typed after the end");
          },
        );
      });
    });
  } finally {
    await issuer.close();
  }

  await t.step(
    "built-in sign-in, without JavaScript: actions posted after the session ended are carried out after signing in",
    async () => {
      await using server = await startServer();
      await plainTab.run(async (page) => {
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
        await (await focusedEditField(page)).fill("Beta, edited");
        await page.locator("li.todo button", { hasText: "Save" }).click();
        await signInAt(page, server, "", email);
        await item(page, "Beta, edited").waitFor();
        assert.deepEqual(await texts(), ["Alpha ✓", "Beta, edited", "Gamma"]);
        await page.reload();
        assert.deepEqual(await texts(), ["Alpha ✓", "Beta, edited", "Gamma"], "replayed once");
      });
    },
  );
});
