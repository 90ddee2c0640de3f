/**
 * What the project's `dev.ts` runs, as Fresh 1.x's `$fresh/dev.ts`: {@linkcode build} for
 * `deno task build` (and `deno task start`, which builds first), {@linkcode dev} for
 * `deno task dev` (build, serve with `--watch`, rebuild on every change).
 */
import { buildIslands, writeManifest } from "./build.ts";
import type { FreshConfig } from "./fresh_config.ts";

/** Options of {@linkcode build}. */
export interface BuildOptions {
  /**
   * Leave `pages.gen.ts` as it is (`deno task test`: the test comparing it with the files on
   * disk then catches a manifest someone forgot to regenerate).
   */
  keepManifest?: boolean;
}

/** The project's `fresh.config.ts`, loaded when first needed. */
export type ConfigLoader = () => Promise<FreshConfig>;

/**
 * One build: `pages.gen.ts` (when changed); the plugins' `buildStart` and the island bundles,
 * unless every file they read and wrote is unchanged since the last build (then the config is
 * not even loaded); the static file list.
 */
export async function build(loadConfig: ConfigLoader, options: BuildOptions = {}): Promise<void> {
  const started = performance.now();
  if (!options.keepManifest && await writeManifest()) console.log("Updated pages.gen.ts");
  const { islands, bundled } = await buildIslands({
    pluginInputs: async () => ((await loadConfig()).plugins ?? []).flatMap((p) => p.inputs ?? []),
    beforeBundle: async () => {
      const config = await loadConfig();
      for (const plugin of config.plugins ?? []) await plugin.buildStart?.(config);
    },
  });
  const ms = Math.round(performance.now() - started);
  const count = Object.keys(islands).length;
  if (!bundled) console.log(`${count} island bundle(s) up to date (checked in ${ms} ms)`);
  else {
    console.log(
      `Built ${count} island bundle(s) in ${ms} ms: ${Object.values(islands).join(", ") || "none"}`,
    );
  }
}

/** Options of {@linkcode dev}. */
export interface DevOptions {
  /** Folders whose changes trigger a rebuild. */
  watch: string[];
  /** Arguments of `deno run` for the server (permissions, its own `--watch`, entry file). */
  serve: string[];
}

/**
 * Builds, starts the server (`deno run ...serve`) and rebuilds whenever a watched folder
 * changes; a failed build is reported and the previous one keeps serving.
 */
export async function dev(loadConfig: ConfigLoader, options: DevOptions): Promise<void> {
  const rebuild = async () => {
    try {
      await build(loadConfig);
    } catch (error) {
      console.error("[dev] build failed:", error instanceof Error ? error.message : error);
    }
  };
  await rebuild();
  const server = new Deno.Command("deno", { args: ["run", ...options.serve], stdin: "inherit" })
    .spawn();
  Deno.addSignalListener("SIGINT", () => {
    server.kill("SIGTERM");
    Deno.exit(0);
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  for await (const event of Deno.watchFs(options.watch)) {
    if (event.paths.every((path) => path.includes("/static/_islands/"))) continue;
    clearTimeout(timer);
    timer = setTimeout(rebuild, 150);
  }
}
