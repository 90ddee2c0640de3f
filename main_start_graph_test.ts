/**
 * What start-up loads: the modules `main.ts` imports statically (`deno info --json`, dynamic
 * imports left out). Start-up time is paid after every scale-up on Deno Deploy, so anything a
 * first page does not need loads on first use instead, and Deno reads a module behind a
 * dynamic import only when that import runs (deno.json's `lazy-dynamic-imports`).
 */
import assert from "node:assert/strict";
import { staticImports } from "./lib/pages/module_graph.ts";

const ROOT = new URL(".", import.meta.url);

/** Every module main.ts imports statically (dynamic imports left out), as `deno info --json` lists them. */
const staticGraph = () => staticImports(ROOT, "main.ts");

/**
 * The npm modules main.ts imports statically, each as `package/path` (from
 * `node_modules/.deno/...` files, or from `npm:` specifiers).
 */
async function npmAtStart(): Promise<string[]> {
  return (await staticGraph()).flatMap((specifier) => {
    const file = specifier.match(/\/node_modules\/\.deno\/[^/]+\/node_modules\/(.+)$/)?.[1];
    if (file) return [file];
    const npm = specifier.match(/^npm:\/?((?:@[^/]+\/)?[^@/]+)@[^/]+(\/.*)?$/);
    return npm ? [npm[1] + (npm[2] ?? "")] : [];
  });
}

/** The project's own files main.ts imports statically, relative to the project folder. */
async function projectFilesAtStart(): Promise<string[]> {
  const root = ROOT.href;
  return (await staticGraph())
    .filter((specifier) => specifier.startsWith(root) && !specifier.includes("/node_modules/"))
    .map((specifier) => specifier.slice(root.length));
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

Deno.test("start-up leaves page routes and their islands, the unchosen identity provider, the todo store's write path and the build for first use", async () => {
  const loaded = await projectFilesAtStart();
  assert.ok(loaded.includes("routes/_app.tsx"), "the shell every page needs is imported");
  // Page routes and their `_` helpers load with their first request (pages.gen.ts); the
  // shell, layouts, middleware and error pages are imported.
  const SPECIAL = /^routes\/(?:.*\/)?_(?:app|layout|middleware|404|500)\.tsx?$/;
  assert.deepEqual(
    loaded.filter((file) => file.startsWith("routes/") && !SPECIAL.test(file)),
    [],
    "page routes imported at start-up",
  );
  assert.deepEqual(
    loaded.filter((file) => /^lib\/auth\/(stytch|local)\.ts$/.test(file)),
    [],
    "an identity provider imported before the configuration chose it",
  );
  assert.deepEqual(
    loaded.filter((file) => file.startsWith("lib/todos/")).sort(),
    ["lib/todos/keys.ts", "lib/todos/pending_bulks.ts"],
    "start-up reads whether a bulk change is pending, nothing more of the store",
  );
  assert.ok(!loaded.includes("mcp_app/build.ts"), "the MCP App view's builder at start-up");
  // An island loads with the first page route that renders it; the layout's island is imported.
  assert.deepEqual(
    loaded.filter((file) => file.startsWith("islands/")),
    ["islands/SessionGuard.tsx"],
    "islands only page routes render, imported at start-up",
  );
});

Deno.test("Deno reads the modules behind a dynamic import only when it runs (lazy-dynamic-imports)", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  assert.ok(
    config.unstable.includes("lazy-dynamic-imports"),
    "without it, `deno run` reads and analyses every module behind a literal import() at start",
  );
});
