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
 *   await using shared = await browser.sharedPage();      // or: one page for many steps
 *   await t.step("signed in", () => shared.run(async (page, { context }) => {
 *     await signInByPost(context, server, "a@example.com");
 *   }));
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
} from "playwright-core";
import { createApp } from "../lib/app.ts";
import type { IdentityProvider } from "../lib/auth/identity.ts";
import { createIdentityProvider } from "../lib/identity_provider.ts";
import { type Config, isLoopbackHost, parseConfig } from "../lib/config.ts";
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
  identity?: (config: Config, kv: Deno.Kv) => IdentityProvider;
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
  const identity = (options.identity ?? createIdentityProvider)(config, kv);
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
  /** A {@linkcode SharedPage} in a new context with `options`, for steps run one after another. */
  sharedPage(options?: WithPageOptions): Promise<SharedPage>;
  close(): Promise<void>;
}

/**
 * One page in one context, kept for several steps (a fresh page costs a renderer start).
 * Each `run` starts signed out and fails on the same problems as `withPage`; afterwards the
 * context is put back (extra pages closed, routes and permissions dropped, viewport restored),
 * and a run that fails leaves a fresh page for the next.
 */
export interface SharedPage extends AsyncDisposable {
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
      const { allowDialogs = false, ...contextOptions } = options;
      const context = await browser.newContext(contextOptions);
      try {
        const watch = await fence(context, allowDialogs);
        return await watch.run(await watch.open(), fn);
      } finally {
        await context.close();
      }
    },
    async sharedPage(options = {}) {
      const { allowDialogs = false, ...contextOptions } = options;
      const context = await browser.newContext(contextOptions);
      const watch = await fence(context, allowDialogs);
      let page: Page | undefined;
      const closeShared = () => context.close();
      return {
        close: closeShared,
        [Symbol.asyncDispose]: closeShared,
        async run(fn, { javaScriptEnabled = true } = {}) {
          const current = page ??= await watch.open();
          const viewport = current.viewportSize();
          await context.clearCookies();
          // The same switch Playwright's context option turns, for this page and this run only.
          const scripts = javaScriptEnabled ? null : await context.newCDPSession(current);
          await scripts?.send("Emulation.setScriptExecutionDisabled", { value: true });
          try {
            return await watch.run(current, fn);
          } catch (error) {
            page = undefined;
            throw error;
          } finally {
            for (const other of context.pages()) if (other !== page) await other.close();
            if (page) {
              await scripts?.send("Emulation.setScriptExecutionDisabled", { value: false });
              await page.unrouteAll({ behavior: "ignoreErrors" });
              if (viewport && page.viewportSize()?.width !== viewport.width) {
                await page.setViewportSize(viewport);
              }
            }
            await scripts?.detach().catch(() => {});
            await context.clearPermissions();
          }
        },
      };
    },
  };
}

/** What {@linkcode fence} gives: pages to open in the context, and runs that fail on problems. */
interface Watch {
  /** A new page in the context, watched for uncaught errors, CSP violations and dialogs. */
  open(): Promise<Page>;
  /** Runs `fn` on `page`; fails if the context or page had a problem meanwhile. */
  run<T>(page: Page, fn: (page: Page, tools: PageTools) => Promise<T>): Promise<T>;
}

/** Fences `context` to loopback (other requests are aborted and recorded as problems). */
async function fence(context: BrowserContext, allowDialogs: boolean): Promise<Watch> {
  const problems: string[] = [];
  const dialogs: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || isLoopbackHost(url.hostname)) {
      return route.continue();
    }
    problems.push(`request to a non-loopback host: ${url.href}`);
    return route.abort("blockedbyclient");
  });
  return {
    async open() {
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
      return page;
    },
    async run(page, fn) {
      problems.length = 0;
      dialogs.length = 0;
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(page, { context, dialogs });
      } catch (error) {
        throw problems.length > 0 ? new Error(report(problems), { cause: error }) : error;
      }
      if (problems.length > 0) throw new Error(report(problems));
      return result;
    },
  };
}

const report = (problems: string[]) => `Browser problems:\n  ${problems.join("\n  ")}`;

/**
 * The list's inline edit field once the page has focused it: focusing puts the caret at the end,
 * so text filled in before then could land after the old text instead of replacing it.
 */
export async function focusedEditField(page: Page): Promise<Locator> {
  const field = page.locator("li.todo input.edit-input");
  await field.waitFor();
  await page.waitForFunction(() => document.activeElement?.classList.contains("edit-input"));
  return field;
}

/**
 * Signs `email` in through the sign-in form's endpoint (POST /login, from Deno) and hands the
 * session cookie to `context`: the same session as the form's, without loading its pages.
 */
export async function signInByPost(
  context: BrowserContext,
  server: TestServer,
  email: string,
): Promise<void> {
  const response = await fetch(server.url("/login"), {
    method: "POST",
    headers: { Origin: server.origin },
    body: new URLSearchParams({ email, returnTo: "/todoapp" }),
  });
  await response.body?.cancel();
  assert.equal(response.status, 200, `signing ${email} in`);
  const cookies = response.headers.getSetCookie().map((line) => {
    const [name, ...value] = line.split(";")[0].split("=");
    return {
      name,
      value: value.join("="),
      url: server.origin,
      httpOnly: true,
      sameSite: "Lax" as const,
    };
  });
  assert.ok(cookies.length > 0, `no session cookie for ${email}`);
  await context.addCookies(cookies);
}
