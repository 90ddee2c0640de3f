/**
 * Development entry (`deno task dev`): builds islands, runs the server with `--watch`
 * (restarted when any imported module or the island build changes) and rebuilds the island
 * bundles and `pages.gen.ts` whenever routes/, islands/, components/, static/ or lib/ change.
 */
import { buildIslands, writeManifest } from "./lib/pages/build.ts";
import { buildMcpApp } from "./mcp_app/build.ts";

// lib/ too: islands may import shared code from it (rebuilding is cheap and idempotent).
const WATCHED = ["routes", "islands", "components", "static", "lib", "mcp_app"];

async function rebuild(): Promise<void> {
  const started = performance.now();
  try {
    if (await writeManifest()) console.log("[dev] updated pages.gen.ts");
    const islands = await buildIslands();
    await buildMcpApp(); // the MCP App view; the server restarts when it changes
    console.log(
      `[dev] built ${Object.keys(islands).length} island bundle(s) in ${
        Math.round(performance.now() - started)
      } ms`,
    );
  } catch (error) {
    console.error("[dev] build failed:", error instanceof Error ? error.message : error);
  }
}

await rebuild();

const server = new Deno.Command("deno", {
  args: [
    "run",
    "--watch=static/_islands/manifest.json,static/_islands/.mcp-app/todo-list.html",
    "--allow-net",
    "--allow-env",
    "--allow-read=.",
    "--allow-write=./data",
    "main.ts",
  ],
  stdin: "inherit",
}).spawn();
Deno.addSignalListener("SIGINT", () => {
  server.kill("SIGTERM");
  Deno.exit(0);
});

let timer: ReturnType<typeof setTimeout> | undefined;
for await (const event of Deno.watchFs(WATCHED)) {
  if (event.paths.every((path) => path.includes("/static/_islands/"))) continue;
  clearTimeout(timer);
  timer = setTimeout(rebuild, 150);
}
