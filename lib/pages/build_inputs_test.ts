import assert from "node:assert/strict";
import { buildIsCurrent, hashInputs, localModules, recordBuild } from "./build_inputs.ts";

/** An island importing a component, and a module on first use. */
const ISLAND =
  'import "../components/label.ts";\nexport const later = () => import("../lib/lazy.ts");\n';

/** A small project on disk: an island importing a component, which imports a lib module. */
async function project(): Promise<{ root: URL; write(path: string, text: string): Promise<void> }> {
  const root = new URL(`file://${await Deno.makeTempDir({ prefix: "build-inputs-" })}/`);
  const write = async (path: string, text: string) => {
    const file = new URL(path, root);
    await Deno.mkdir(new URL(".", file), { recursive: true });
    await Deno.writeTextFile(file, text);
  };
  await write("deno.json", JSON.stringify({ imports: {} }));
  await write("deno.lock", JSON.stringify({ version: "5" }));
  await write("islands/Counter.ts", ISLAND);
  await write("lib/lazy.ts", "export const LAZY = 1;\n");
  await write("components/label.ts", 'export { LIMIT as label } from "../lib/limits.ts";\n');
  await write("lib/limits.ts", "export const LIMIT = 1;\n");
  await write("lib/unrelated.ts", "export const OTHER = 2;\n");
  await write("static/_islands/Counter-1a2b.js", "console.log(1);\n");
  await write("static/_islands/.view/view.html", "<p>view</p>\n");
  await write("view.css", "p { color: red }\n");
  return { root, write };
}

const SOURCES = ["islands/Counter.ts"];
const EXTRA = ["view.css"];

Deno.test("localModules() lists the project files an entry imports, transitively and dynamically", async () => {
  const { root } = await project();
  try {
    assert.deepEqual(await localModules(["islands/Counter.ts"], root), [
      "components/label.ts",
      "islands/Counter.ts",
      "lib/lazy.ts",
      "lib/limits.ts",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a build stays current until a file it read or wrote changes", async (t) => {
  const { root, write } = await project();
  const recorded = async () => {
    await recordBuild(SOURCES, await hashInputs(SOURCES, EXTRA, root), root);
    assert.equal(await buildIsCurrent(SOURCES, root), true);
  };
  try {
    assert.equal(await buildIsCurrent(SOURCES, root), false, "no record yet");
    await recorded();

    await t.step(
      "a module saved while the bundler runs: the next build bundles again",
      async () => {
        const inputs = await hashInputs(SOURCES, EXTRA, root);
        await write("lib/limits.ts", "export const LIMIT = 4;\n");
        await recordBuild(SOURCES, inputs, root);
        assert.equal(await buildIsCurrent(SOURCES, root), false);
        await recorded();
      },
    );
    await t.step("a file no island imports: still current", async () => {
      await write("lib/unrelated.ts", "export const OTHER = 3;\n");
      assert.equal(await buildIsCurrent(SOURCES, root), true);
    });
    const changes: [string, () => Promise<void>][] = [
      ["a module imported on first use changed", () => write("lib/lazy.ts", "export {};\n")],
      [
        "a module two imports away changed",
        () => write("lib/limits.ts", "export const LIMIT = 2;\n"),
      ],
      [
        "the island changed",
        () => write("islands/Counter.ts", `${ISLAND}export default 1;\n`),
      ],
      ["a plain input file changed", () => write("view.css", "p { color: blue }\n")],
      ["deno.json changed", () => write("deno.json", JSON.stringify({ imports: { x: "./x.ts" } }))],
      ["the lockfile changed", () => write("deno.lock", JSON.stringify({ version: "5", npm: {} }))],
      ["an output changed", () => write("static/_islands/Counter-1a2b.js", "console.log(2);\n")],
      [
        "a hidden output removed",
        () => Deno.remove(new URL("static/_islands/.view/view.html", root)),
      ],
      ["an output added", () => write("static/_islands/stray.js", "\n")],
    ];
    for (const [what, change] of changes) {
      await t.step(`${what}: stale`, async () => {
        await change();
        assert.equal(await buildIsCurrent(SOURCES, root), false);
        await recorded();
      });
    }
    await t.step("a new island (another list of sources): stale", async () => {
      await write("islands/Other.ts", "export default 2;\n");
      assert.equal(await buildIsCurrent([...SOURCES, "islands/Other.ts"], root), false);
    });
    await t.step("an import added to a file the island imports: followed", async () => {
      await write("lib/limits.ts", 'export { OTHER as LIMIT } from "./unrelated.ts";\n');
      await recorded();
      await write("lib/unrelated.ts", "export const OTHER = 4;\n");
      assert.equal(await buildIsCurrent(SOURCES, root), false);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
