/**
 * The build's own steps (run by `dev.ts`, see dev.ts in this folder): regenerate `pages.gen.ts`,
 * and bundle every island for the browser with `deno bundle` (minified ES modules, shared code
 * split into chunks) into `static/_islands/`, content-hashed, with `manifest.json` naming each
 * island's entry file and listing every file under `static/` the server may serve (nothing
 * else is served). Bundling is skipped while its inputs are unchanged (build_inputs.ts); the
 * static file list is made every time.
 */
import { bundleForBrowser } from "./bundle.ts";
import { type IslandBuild, ISLANDS_DIR, STATIC_DIR } from "./assets.ts";
import { buildIsCurrent, hashInputs, recordBuild } from "./build_inputs.ts";
import { currentManifest, listModules, MANIFEST_FILE, ROOT_DIR } from "./manifest.ts";
import { islandName } from "./routing.ts";
import { listStaticFiles, sha256Hex } from "./static_files.ts";

/** Writes `pages.gen.ts` when it changed; returns true if it did. */
export async function writeManifest(): Promise<boolean> {
  const text = await currentManifest();
  const old = await Deno.readTextFile(MANIFEST_FILE).catch(() => null);
  if (old === text) return false;
  await Deno.writeTextFile(MANIFEST_FILE, text);
  return true;
}

const hashOf = async (bytes: Uint8Array<ArrayBuffer>) => (await sha256Hex(bytes)).slice(0, 12);

/** What {@linkcode buildIslands} needs besides the islands themselves. */
export interface IslandBuildOptions {
  /**
   * Further files the build's output depends on (the plugins' inputs), relative to the root;
   * asked for only when bundling (the last build recorded them, and the code declaring them).
   */
  pluginInputs?: () => Promise<string[]>;
  /** Runs before bundling, when bundling is needed (the plugins' `buildStart`). */
  beforeBundle?: () => Promise<void>;
}

/** What {@linkcode buildIslands} did: each island's entry bundle, and whether it bundled. */
export interface IslandBuildResult {
  islands: Record<string, string>;
  bundled: boolean;
}

/**
 * Bundles every island into `static/_islands/` unless the last bundles are current, then
 * writes `manifest.json` (its list of static files is made anew every time).
 */
export async function buildIslands(options: IslandBuildOptions = {}): Promise<IslandBuildResult> {
  // One build at a time per work tree (e.g. `deno task dev` and `deno task test` together).
  await Deno.mkdir(ISLANDS_DIR, { recursive: true });
  using lock = await Deno.open(new URL(".lock", ISLANDS_DIR), { create: true, write: true });
  await lock.lock(true);
  try {
    const islandFiles = await listModules(new URL("islands/", ROOT_DIR));
    // dev.ts brings in the build's own code and fresh.config.ts; each entry imports client.ts.
    const sources = ["dev.ts", "lib/pages/client.ts", ...islandFiles.map((f) => `islands/${f}`)];
    let built = await buildIsCurrent(sources) ? await previousBuild() : null;
    const bundled = built === null;
    if (built === null) {
      const inputs = await hashInputs(sources, await options.pluginInputs?.() ?? []);
      await options.beforeBundle?.();
      built = await bundleIslands(islandFiles);
      await recordBuild(sources, inputs);
    }
    await writeBuildManifest(built.islands, built.preload);
    return { islands: built.islands, bundled };
  } finally {
    await lock.unlock();
  }
}

type Bundles = Required<Pick<IslandBuild, "islands" | "preload">>;

/** The bundles named by the last build's `manifest.json`, or null when there is none. */
async function previousBuild(): Promise<Bundles | null> {
  try {
    const { islands, preload }: IslandBuild = JSON.parse(
      await Deno.readTextFile(new URL("manifest.json", ISLANDS_DIR)),
    );
    return islands && preload ? { islands, preload } : null;
  } catch {
    return null;
  }
}

/** Bundles `islandFiles` (under `islands/`), replacing the previous bundles. */
async function bundleIslands(islandFiles: string[]): Promise<Bundles> {
  const tmp = new URL(".tmp/", ISLANDS_DIR);
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  await Deno.mkdir(new URL("entries/", tmp), { recursive: true });

  const entries: string[] = [];
  for (const file of islandFiles) {
    const name = islandName(file);
    const entry = new URL(`entries/${name}.ts`, tmp);
    await Deno.writeTextFile(
      entry,
      `import { boot } from "${new URL("lib/pages/client.ts", ROOT_DIR)}";\n` +
        `import Island from "${new URL(`islands/${file}`, ROOT_DIR)}";\n` +
        `boot(${JSON.stringify(name)}, Island);\n`,
    );
    entries.push(entry.pathname);
  }

  const outDir = new URL("out/", tmp);
  if (entries.length > 0) {
    await bundleForBrowser(entries, { outdir: outDir.pathname, codeSplitting: true });
  }

  // Replace the previous build: entry files get a content hash, chunks already have one.
  for await (const old of Deno.readDir(ISLANDS_DIR)) {
    if (old.name.startsWith(".") || old.name === "manifest.json") continue;
    await Deno.remove(new URL(old.name, ISLANDS_DIR), { recursive: true });
  }
  const islands: Record<string, string> = {};
  const built = entries.length > 0 ? await Array.fromAsync(Deno.readDir(outDir)) : [];
  for (const { name: fileName } of built.toSorted((a, b) => a.name < b.name ? -1 : 1)) {
    const bytes = await Deno.readFile(new URL(fileName, outDir));
    const island = islandFiles.map(islandName).find((name) => `${name}.js` === fileName);
    const target = island ? `${island}-${await hashOf(bytes)}.js` : fileName;
    await Deno.writeFile(new URL(target, ISLANDS_DIR), bytes);
    if (island) islands[island] = `/_islands/${target}`;
  }
  const preload: Record<string, string[]> = {};
  for (const [island, url] of Object.entries(islands)) {
    preload[island] = (await staticImports(url.replace("/_islands/", ""))).map((f) =>
      `/_islands/${f}`
    );
  }
  await Deno.remove(tmp, { recursive: true });
  return { islands, preload };
}

/**
 * Writes `manifest.json`: the bundles, and the servable files, bundles included, whose hashes
 * make the build id, which versions static file URLs (styles.css) through `asset()`.
 */
async function writeBuildManifest(
  islands: Bundles["islands"],
  preload: Bundles["preload"],
): Promise<void> {
  const { files, skipped } = await listStaticFiles(STATIC_DIR);
  for (const reason of skipped) console.warn(`static/ not served: ${reason.slice(1)}`);
  const buildId = await hashOf(new TextEncoder().encode(JSON.stringify(files)));
  // Written last and only when changed: `deno task dev` restarts the server when it changes.
  const manifestFile = new URL("manifest.json", ISLANDS_DIR);
  const manifest = JSON.stringify({ buildId, islands, preload, files }, null, 2) + "\n";
  if (manifest !== await Deno.readTextFile(manifestFile).catch(() => null)) {
    const part = new URL(".manifest.json.part", ISLANDS_DIR);
    await Deno.writeTextFile(part, manifest);
    await Deno.rename(part, manifestFile);
  }
}

/** The chunks `file` (in `static/_islands/`) imports statically, transitively, in load order. */
export async function staticImports(file: string, seen = new Set<string>()): Promise<string[]> {
  const text = await Deno.readTextFile(new URL(file, ISLANDS_DIR));
  const found: string[] = [];
  for (const [, chunk] of text.matchAll(/(?:from|import)\s*"\.\/([\w.-]+\.js)"/g)) {
    if (seen.has(chunk)) continue;
    seen.add(chunk);
    found.push(chunk, ...await staticImports(chunk, seen));
  }
  return found;
}
