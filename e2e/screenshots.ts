/**
 * Takes the README's screenshots (docs/screenshots/): the landing page and the todo page at
 * desktop and phone sizes, in the light and the dark color scheme, from a real server over
 * `:memory:` KV and Debian's Chromium. Run after `deno task build`:
 *
 *     deno run -A e2e/screenshots.ts
 */
import { launchBrowser, startServer } from "./browser.ts";

const OUT = new URL("../docs/screenshots/", import.meta.url);
const SIZES = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
const TODOS: [string, boolean][] = [
  ["Book the dentist for March", true],
  ["Renew passport before the summer trip", false],
  ["Call the plumber about the leak under the sink", true],
  ["Send Anna the slides for Friday's review", false],
  ["Buy flowers for Mum's birthday", false],
];

await using server = await startServer();
await using browser = await launchBrowser();
await Deno.mkdir(OUT, { recursive: true });

for (const [device, viewport] of Object.entries(SIZES)) {
  for (const colorScheme of ["light", "dark"] as const) {
    await browser.withPage(async (page) => {
      const shot = async (name: string) => {
        await page.screenshot({
          path: new URL(`${name}-${device}-${colorScheme}.png`, OUT).pathname,
        });
      };
      await page.goto(server.url("/"));
      await page.waitForSelector("pages-island[data-island=McpUrl][data-hydrated]");
      await shot("landing");

      await page.goto(server.url("/login?returnTo=%2Ftodoapp"));
      await page.fill("#email", `${device}-${colorScheme}@example.com`);
      await page.click("button[type=submit]");
      await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
      for (const [text, done] of TODOS) {
        await page.evaluate(async ([todoText, done]) => {
          const res = await fetch("/api/todos", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ todoText }),
          });
          const body = await res.json();
          const id = (body.todo ?? body.todos.at(-1)).id;
          if (done) await fetch(`/api/todos/${id}/complete`, { method: "POST" });
        }, [text, done] as const);
      }
      await page.goto(server.url("/todoapp"));
      await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
      await page.locator("li.todo").nth(3).locator("button.delete").click();
      await page.locator(".status button").waitFor();
      await page.locator("#new-todo").blur();
      await shot("todos");
    }, { viewport, colorScheme });
  }
}
console.log(`Screenshots in ${OUT.pathname}`);
