/**
 * axe-core in the browser tests: injects npm:axe-core into the page (through the DevTools
 * protocol, so the page's Content-Security-Policy stays as strict as in production) and runs
 * it in the light and the dark color scheme.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

/** npm:axe-core's minified build: the same rules, less for each page to parse than `axe.source`. */
const AXE_SOURCE = Deno.readTextFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
);

/** axe's rules whose outcome depends on colors. */
const COLOR_RULES = ["color-contrast", "link-in-text-block"];

/**
 * Whether the stylesheet's dark scheme sets only color variables: then no rule but
 * {@linkcode COLOR_RULES} can answer differently in the dark, and only those run there again.
 * Anything else in the dark block (layout, visibility, content) runs every rule in both schemes.
 */
export const DARK_SETS_ONLY_COLORS = darkSetsOnlyColors(
  Deno.readTextFileSync(new URL("../static/styles.css", import.meta.url)),
);

/** Whether every `prefers-color-scheme: dark` block in `css` only sets `--name: #hex` variables. */
export function darkSetsOnlyColors(css: string): boolean {
  const blocks = css.split(/@media\s*\(prefers-color-scheme:\s*dark\)\s*\{/).slice(1);
  return blocks.every((block) => {
    const end = block.search(/\}\s*\}/);
    if (end < 0) return false;
    const body = block.slice(0, end).replace(/^\s*:root\s*\{/, "").replace(/\/\*[^]*?\*\//g, "");
    return body.split(";").map((declaration) => declaration.trim()).filter(Boolean)
      .every((declaration) => /^--[\w-]+:\s*#[0-9a-f]{3,8}$/i.test(declaration));
  });
}

/** axe's violations on `page` as one line each, in both color schemes. */
export async function axeViolations(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    if (!await page.evaluate(() => "axe" in globalThis)) await page.evaluate(AXE_SOURCE);
    const rules = colorScheme === "dark" && DARK_SETS_ONLY_COLORS ? COLOR_RULES : null;
    const violations = await page.evaluate(async (rules) => {
      // deno-lint-ignore no-explicit-any
      const { violations } = await (globalThis as any).axe.run(document, {
        resultTypes: ["violations"],
        ...(rules ? { runOnly: { type: "rule", values: rules } } : {}),
      });
      return (violations as { id: string; nodes: { target: string[] }[] }[])
        .map((v) => `${v.id} at ${v.nodes.map((node) => node.target.join(" ")).join(", ")}`);
    }, rules);
    found.push(...violations.map((v) => `${colorScheme}: ${v}`));
  }
  await page.emulateMedia({ colorScheme: null });
  return found;
}

/** Fails naming each axe violation on `page` (light and dark) in the page state `state`. */
export async function assertAccessible(page: Page, state: string): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], `axe violations in state "${state}"`);
}
