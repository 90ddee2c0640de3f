/**
 * Build and development entry, as in Fresh 1.x: `deno task build` runs `dev.ts build`
 * (`pages.gen.ts`, island bundles, the static file list, fresh.config.ts's plugins);
 * `deno task dev` runs it without arguments: build, serve main.ts with `--watch` (restarted when
 * an imported module, the island build or the MCP App view changes) and rebuild whenever
 * routes/, islands/, components/, browser/, todo_list/, static/, lib/ or mcp_app/ change.
 */
import { build, dev } from "./lib/pages/dev.ts";

/** fresh.config.ts, loaded only when a build bundles: it brings in the whole page layer. */
const config = async () => (await import("./fresh.config.ts")).default;

if (Deno.args[0] === "build") {
  await build(config, { keepManifest: Deno.args.includes("--keep-manifest") });
} else {
  await dev(config, {
    // lib/ too: islands may import shared code from it (rebuilding is cheap and idempotent).
    watch: ["routes", "islands", "components", "browser", "todo_list", "static", "lib", "mcp_app"],
    serve: [
      "--watch=static/_islands/manifest.json,static/_islands/.mcp-app/todo-list.html",
      "--allow-net",
      "--allow-env",
      "--allow-read=.",
      "--allow-write=./data",
      "main.ts",
    ],
  });
}
