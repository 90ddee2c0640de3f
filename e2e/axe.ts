/**
 * axe-core in the browser tests: injects npm:axe-core into the page (through the DevTools
 * protocol, so the page's Content-Security-Policy stays as strict as in production) and runs
 * it in the light and the dark color scheme.
 */
import assert from "node:assert/strict";
import axe from "axe-core";
import type { Page } from "playwright-core";

/** axe's violations on `page` as one line each, in both color schemes; `impacts` keeps only those. */
export async function axeViolations(page: Page, impacts?: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    if (!await page.evaluate(() => "axe" in globalThis)) await page.evaluate(axe.source);
    const violations = await page.evaluate(async (impacts) => {
      // deno-lint-ignore no-explicit-any
      const { violations } = await (globalThis as any).axe.run(document, {
        resultTypes: ["violations"],
      });
      return (violations as { id: string; impact: string; nodes: { target: string[] }[] }[])
        .filter((v) => !impacts || impacts.includes(v.impact))
        .map((v) => `${v.id} at ${v.nodes.map((node) => node.target.join(" ")).join(", ")}`);
    }, impacts);
    found.push(...violations.map((v) => `${colorScheme}: ${v}`));
  }
  await page.emulateMedia({ colorScheme: null });
  return found;
}

/** Fails naming each axe violation on `page` (light and dark) in the page state `state`. */
export async function assertAccessible(page: Page, state: string): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], `axe violations in state "${state}"`);
}
