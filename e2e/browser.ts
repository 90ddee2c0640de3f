/**
 * Browser-test helpers: a real app served on 127.0.0.1 over `:memory:` KV, and Debian's
 * Chromium driven by playwright-core (never a downloaded browser). Every page is fenced to
 * loopback: a request to any other host is aborted and fails the test.
 *
 * ```ts
 * Deno.test("my flow", async (t) => {
 *   await using server = await startServer({ publicUrl: true });
 *   await using browser = await launchBrowser();          // once per file
 *   await t.step("does a thing", () =>
 *     browser.withPage(async (page) => {                    // fresh context per step
 *       await page.goto(server.url("/login"));
 *     }));
 *   await using tab = await browser.keepPage();           // or one page for many steps,
 *   await t.step("does another", () =>                     // cleared between them
 *     tab.run(async (page) => {
 *       await page.goto(server.url("/todoapp"));
 *     }));
 * });
 * ```
 * Run island-using tests after `deno task build` (the `test` task does it).
 */
import assert from "node:assert/strict";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
  type Route,
} from "playwright-core";
import { createApp } from "../lib/app.ts";
import type { IdentityProvider } from "../lib/auth/identity.ts";
import { createIdentityProvider } from "../lib/identity_provider.ts";
import { type Config, isLoopbackHost, parseConfig } from "../lib/config.ts";
import { LOCAL_SESSION_COOKIE } from "../lib/auth/local.ts";
import {
  createSession,
  findOrCreateLocalUser,
  normalizeEmail,
} from "../lib/auth/local_sessions.ts";
import type { Deps } from "../lib/http/context.ts";

export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface TestServer extends AsyncDisposable {
  /** E.g. `http://127.0.0.1:41234`. */
  origin: string;
  /** An absolute URL for `path` on this server. */
  url(path: string): string;
  deps: Deps;
  kv: Deno.Kv;
  close(): Promise<void>;
}

/** A path-taking fetch against `server` (for the helpers in lib/testing/oauth.ts). */
export function onServer(
  server: TestServer,
): (path: string, init: RequestInit) => Promise<Response> {
  return (path, init) => fetch(server.url(path), init);
}

export interface StartServerOptions {
  /** Environment as the real server would see it (parsed by `parseConfig`). */
  env?: Record<string, string>;
  /** Replaces the identity provider chosen from the configuration. */
  identity?: (config: Config, kv: Deno.Kv) => IdentityProvider | Promise<IdentityProvider>;
  /** Sets `PUBLIC_URL` to the server's own origin (known only once it listens). */
  publicUrl?: boolean;
}

/** Serves the real app (`createApp`) on 127.0.0.1 at a free port over `:memory:` KV. */
export async function startServer(options: StartServerOptions = {}): Promise<TestServer> {
  // The app is built once the port (and so the origin) is known.
  const ready: { app?: ReturnType<typeof createApp> } = {};
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => ready.app ? ready.app.fetch(req) : new Response("Starting.", { status: 503 }),
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  let config: Config;
  try {
    config = parseConfig({ ...options.env, ...(options.publicUrl ? { PUBLIC_URL: origin } : {}) });
  } catch (error) {
    await server.shutdown();
    throw error;
  }
  const kv = await Deno.openKv(":memory:");
  const identity = await (options.identity ?? createIdentityProvider)(config, kv);
  const deps: Deps = { config, kv, identity };
  ready.app = createApp(deps);
  const close = async () => {
    await server.shutdown();
    kv.close();
  };
  return {
    origin,
    url: (path) => new URL(path, origin).href,
    deps,
    kv,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** What a `withPage` callback gets besides the page. */
export interface PageTools {
  context: BrowserContext;
  /** Messages of dialogs (alert/confirm/prompt) that opened; each is dismissed. */
  dialogs: string[];
}

export interface WithPageOptions extends BrowserContextOptions {
  /** Let dialogs open without failing the test (they are still dismissed and recorded). */
  allowDialogs?: boolean;
}

export interface TestBrowser extends AsyncDisposable {
  browser: Browser;
  /**
   * Runs `fn` with a page in a fresh context (no cookies or storage from other tests).
   * Fails afterwards if the page tried to reach a non-loopback host, threw an uncaught
   * error, hit a Content-Security-Policy violation, or opened a dialog.
   */
  withPage<T>(
    fn: (page: Page, tools: PageTools) => Promise<T>,
    options?: WithPageOptions,
  ): Promise<T>;
  /**
   * One context and page for several steps that need no fresh browser (each run clears what the
   * last left); a step that needs a fresh context uses `withPage`.
   */
  keepPage(options?: WithPageOptions): Promise<KeptPage>;
  close(): Promise<void>;
}

/**
 * A page kept for several steps, so each step skips a context and renderer start (see
 * {@linkcode TestBrowser.keepPage}).
 */
export interface KeptPage extends AsyncDisposable {
  /**
   * Runs `fn` on the kept page, checked as `withPage` checks. Each run starts at about:blank with
   * no cookies, no local or session storage at the origins the page visited, and none of the
   * routes or page and context listeners of earlier runs. What cannot be undone (the page clock,
   * exposed functions, init scripts) belongs in `withPage` instead. A run that fails leaves a
   * fresh page for the next.
   */
  run<T>(fn: (page: Page, tools: PageTools) => Promise<T>, options?: RunOptions): Promise<T>;
  close(): Promise<void>;
}

export interface RunOptions {
  /**
   * `false` runs with scripts off (as `javaScriptEnabled: false` does a context) in pages of the
   * site the page is on (another site would start a renderer that runs scripts).
   */
  javaScriptEnabled?: boolean;
}

/** Launches headless Chromium from {@linkcode CHROMIUM_PATH}. */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const close = () => browser.close();
  return {
    browser,
    close,
    [Symbol.asyncDispose]: close,
    async withPage(fn, options = {}) {
      const guarded = await openGuardedPage(browser, options);
      try {
        return await runChecked(guarded, fn);
      } finally {
        await guarded.context.close();
      }
    },
    async keepPage(options = {}) {
      let guarded = await openGuardedPage(browser, options);
      let used = false;
      const close = () => guarded.context.close();
      return {
        async run(fn, { javaScriptEnabled = true } = {}) {
          if (used) await resetPage(guarded);
          used = true;
          const viewport = guarded.page.viewportSize();
          const listeners = listenersOf(guarded);
          // The switch Playwright's context option turns, for this page and this run only.
          const scripts = javaScriptEnabled
            ? null
            : await guarded.context.newCDPSession(guarded.page);
          await scripts?.send("Emulation.setScriptExecutionDisabled", { value: true });
          try {
            const result = await runChecked(guarded, fn);
            // Scripts are off per renderer: a page that hydrated would have done the step's work.
            const hydrated = scripts &&
              await guarded.page.evaluate(() => document.querySelector("[data-hydrated]") !== null);
            assert.ok(!hydrated, "an island hydrated in a run with scripts off");
            return result;
          } catch (error) {
            await guarded.context.close();
            guarded = await openGuardedPage(browser, options);
            used = false;
            throw error;
          } finally {
            if (used) {
              removeListenersAddedSince(guarded, listeners);
              await scripts?.send("Emulation.setScriptExecutionDisabled", { value: false });
              await scripts?.detach().catch(() => {});
              if (viewport && guarded.page.viewportSize()?.width !== viewport.width) {
                await guarded.page.setViewportSize(viewport);
              }
            }
          }
        },
        close: () => close(),
        [Symbol.asyncDispose]: () => close(),
      };
    },
  };
}

/** A context and page fenced to loopback, with what went wrong in them so far. */
interface GuardedPage {
  context: BrowserContext;
  page: Page;
  problems: string[];
  dialogs: string[];
  /** Origins of the documents the page loaded (whose storage a kept page clears). */
  origins: Set<string>;
  /** The route that keeps requests on loopback. */
  fence: (route: Route) => Promise<void>;
}

async function openGuardedPage(browser: Browser, options: WithPageOptions): Promise<GuardedPage> {
  const { allowDialogs = false, ...contextOptions } = options;
  const context = await browser.newContext(contextOptions);
  const problems: string[] = [];
  const dialogs: string[] = [];
  const origins = new Set<string>();
  const fence = (route: Route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || isLoopbackHost(url.hostname)) {
      return route.continue();
    }
    problems.push(`request to a non-loopback host: ${url.href}`);
    return route.abort("blockedbyclient");
  };
  try {
    await context.route("**/*", fence);
    const track = (opened: Page) =>
      opened.on("framenavigated", (frame) => {
        const { protocol, origin } = new URL(frame.url());
        if (protocol === "http:" || protocol === "https:") origins.add(origin);
      });
    context.on("page", track);
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(`uncaught error in page: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && /Content.Security.Policy/i.test(message.text())) {
        problems.push(`CSP violation: ${message.text()}`);
      }
    });
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      if (!allowDialogs) problems.push(`dialog opened: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    return { context, page, problems, dialogs, origins, fence };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/** Runs `fn` on the page and fails if the page had problems meanwhile. */
async function runChecked<T>(
  { page, context, problems, dialogs }: GuardedPage,
  fn: (page: Page, tools: PageTools) => Promise<T>,
): Promise<T> {
  problems.length = 0;
  dialogs.length = 0;
  let result: T;
  try {
    result = await fn(page, { context, dialogs });
  } catch (error) {
    throw problems.length > 0 ? new Error(report(problems), { cause: error }) : error;
  }
  if (problems.length > 0) throw new Error(report(problems));
  return result;
}

/**
 * Clears what a run left: other pages it opened, routes (the fence stays), cookies, permissions,
 * and local and session storage at each origin visited (each opened once, answered by a blank
 * page, not its server).
 */
async function resetPage({ context, page, origins, fence }: GuardedPage): Promise<void> {
  for (const other of context.pages()) if (other !== page) await other.close();
  await page.unrouteAll({ behavior: "ignoreErrors" });
  await context.unrouteAll({ behavior: "ignoreErrors" });
  await context.route("**/*", (route) => route.fulfill({ contentType: "text/html", body: "" }));
  for (const origin of origins) {
    await page.goto(`${origin}/`);
    await page.evaluate(() => {
      localStorage.clear();
      sessionStorage.clear();
    });
  }
  origins.clear();
  await page.goto("about:blank");
  await context.unrouteAll({ behavior: "ignoreErrors" });
  await context.route("**/*", fence);
  await context.clearCookies();
  await context.clearPermissions();
}

/** Playwright's event emitters, as far as listeners are concerned. */
interface Emitter {
  eventNames(): (string | symbol)[];
  listeners(event: string | symbol): ((...args: unknown[]) => void)[];
  off(event: string | symbol, listener: (...args: unknown[]) => void): void;
}

type Listeners = Map<Emitter, Map<string | symbol, Set<unknown>>>;

/** The page's and context's listeners now. */
function listenersOf({ page, context }: GuardedPage): Listeners {
  const all: Listeners = new Map();
  for (const emitter of [page, context] as unknown as Emitter[]) {
    all.set(
      emitter,
      new Map(emitter.eventNames().map((event) => [event, new Set(emitter.listeners(event))])),
    );
  }
  return all;
}

/** Removes every listener added to the page or context since `before`. */
function removeListenersAddedSince(guarded: GuardedPage, before: Listeners): void {
  for (const [emitter, events] of listenersOf(guarded)) {
    for (const [event, listeners] of events) {
      for (const listener of listeners) {
        if (!before.get(emitter)?.get(event)?.has(listener)) {
          emitter.off(event, listener as (...args: unknown[]) => void);
        }
      }
    }
  }
}

const report = (problems: string[]) => `Browser problems:\n  ${problems.join("\n  ")}`;

/**
 * Waits until `fn(arg)`, run in the page, returns a truthy value, checking from the test side
 * (every 25 ms, up to `timeoutMs`). Unlike `waitForFunction` it works with scripts off, where the
 * page's own timers, which `waitForFunction` polls with, never run. Returns whether it came true.
 */
export async function pollPage<A>(
  page: Page,
  fn: (arg: A) => unknown,
  arg: A,
  timeoutMs = 5000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // `arg` is plain data here, which Playwright's `Unboxed<A>` leaves as it is.
  const check = fn as (arg: unknown) => unknown;
  while (!(await page.evaluate(check, arg as unknown))) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/**
 * The list's inline edit field once the page has focused it: focusing puts the caret at the end,
 * so text filled in before then could land after the old text instead of replacing it. Also with
 * scripts off, where `autofocus` focuses it ({@linkcode pollPage}).
 */
export async function focusedEditField(page: Page): Promise<Locator> {
  const field = page.locator("li.todo input.edit-input");
  await field.waitFor();
  const isFocused = () => document.activeElement?.classList.contains("edit-input");
  if (!(await pollPage(page, isFocused, null, 10_000))) {
    throw new Error("The edit field was never focused.");
  }
  return field;
}

/**
 * Starts a session of the built-in sign-in of the app at `server` for `email`, in its store as
 * `POST /login` starts one; for tests whose subject is not the sign-in.
 */
export async function startLocalSession(
  server: { kv: Deno.Kv },
  email: string,
): Promise<{ userId: string; token: string; cookie: string }> {
  const user = await findOrCreateLocalUser(server.kv, normalizeEmail(email));
  const token = await createSession(server.kv, user);
  return { userId: user.id, token, cookie: `${LOCAL_SESSION_COOKIE}=${token}` };
}

/** Signs `context` in to the app at `server` as `email` ({@linkcode startLocalSession}). */
export async function signInAs(
  context: BrowserContext,
  server: { kv: Deno.Kv; origin: string },
  email: string,
): Promise<{ userId: string; cookie: string }> {
  const { userId, token, cookie } = await startLocalSession(server, email);
  await context.addCookies([{ name: LOCAL_SESSION_COOKIE, value: token, url: server.origin }]);
  return { userId, cookie };
}
