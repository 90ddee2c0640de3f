/**
 * What start-up loads: the modules `main.ts` imports statically (`deno info --json`, dynamic
 * imports left out). Start-up time is paid after every scale-up on Deno Deploy, so anything a
 * first page does not need loads on first use instead.
 */
import assert from "node:assert/strict";

/**
 * The npm modules main.ts imports statically (dynamic imports left out), each as
 * `package/path` (from `node_modules/.deno/...` files, or from `npm:` specifiers).
 */
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
  return [...seen].flatMap((specifier) => {
    const file = specifier.match(/\/node_modules\/\.deno\/[^/]+\/node_modules\/(.+)$/)?.[1];
    if (file) return [file];
    const npm = specifier.match(/^npm:\/?((?:@[^/]+\/)?[^@/]+)@[^/]+(\/.*)?$/);
    return npm ? [npm[1] + (npm[2] ?? "")] : [];
  });
}

const ZOD_FULL = /^zod($|\/index\.[cm]?js$|\/v4\/classic\/)/;
const ZOD_MINI = /^zod\/(v4\/)?mini($|\/)/;

Deno.test("start-up loads hono, preact and zod's mini API; MCP, JWT, Stytch and zod's full API wait for first use", async () => {
  const loaded = await npmAtStart();
  for (const lazy of ["@modelcontextprotocol/", "jose/", "stytch/", "@stytch/"]) {
    const found = loaded.filter((path) => path.startsWith(lazy));
    assert.deepEqual(found, [], `${lazy} is imported at start-up`);
  }
  assert.deepEqual(loaded.filter((path) => ZOD_FULL.test(path)), [], "zod's full API at start-up");
  assert.ok(loaded.some((path) => ZOD_MINI.test(path)), "the configuration uses zod's mini API");
  assert.ok(loaded.some((path) => path.startsWith("preact-render-to-string/")), "pages render");
});
