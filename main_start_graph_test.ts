/**
 * What start-up loads: the modules `main.ts` imports statically (`deno info --json`, dynamic
 * imports left out). Start-up time is paid after every scale-up on Deno Deploy, so anything a
 * first page does not need loads on first use instead.
 */
import assert from "node:assert/strict";

/** The npm specifiers reachable from main.ts through static imports only. */
async function npmAtStart(): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: new URL(".", import.meta.url),
    stderr: "null",
  }).output();
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    roots: string[];
    modules: Array<{
      specifier: string;
      dependencies?: Array<{ isDynamic?: boolean; code?: { specifier?: string } }>;
    }>;
  };
  const modules = new Map(graph.modules.map((module) => [module.specifier, module]));
  const seen = new Set<string>();
  const pending = [...graph.roots];
  for (let specifier; (specifier = pending.pop());) {
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      if (!dependency.isDynamic && dependency.code?.specifier) {
        pending.push(dependency.code.specifier);
      }
    }
  }
  return [...seen].filter((specifier) => specifier.startsWith("npm:"));
}

Deno.test("start-up loads hono, preact and zod's mini API; MCP, JWT, Stytch and zod's full API wait for first use", async () => {
  const packages = await npmAtStart();
  const name = (specifier: string) =>
    specifier.replace(/^npm:\/?/, "").replace(/@[^@/]+(\/|$)/, "$1");
  const loaded = new Set(packages.map(name));
  for (const lazy of ["@modelcontextprotocol/server", "jose", "stytch", "zod"]) {
    assert.ok(!loaded.has(lazy), `${lazy} is imported at start-up: ${[...loaded].join(", ")}`);
  }
  assert.ok(loaded.has("zod/mini"), "the configuration is parsed with zod's mini API");
  assert.ok(loaded.has("preact-render-to-string"), "pages render at start-up");
});
