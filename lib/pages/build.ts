/**
 * The build's own steps (run by `dev.ts`, see dev.ts in this folder): regenerate `pages.gen.ts`,
 * and bundle every island for the browser with `deno bundle` (minified ES modules, shared code
 * split into chunks) into `static/_islands/`, content-hashed, with `manifest.json` naming each
 * island's entry file and listing every file under `static/` the server may serve (nothing
 * else is served).
 */
import { bundleForBrowser } from "./bundle.ts";
import { ISLANDS_DIR, STATIC_DIR } from "./assets.ts";
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

/** Bundles every island into `static/_islands/` and writes its `manifest.json`. */
export async function buildIslands(): Promise<Record<string, string>> {
  // One build at a time per work tree (e.g. `deno task dev` and `deno task test` together).
  await Deno.mkdir(ISLANDS_DIR, { recursive: true });
  using lock = await Deno.open(new URL(".lock", ISLANDS_DIR), { create: true, write: true });
  await lock.lock(true);
  try {
    return await buildIslandsLocked();
  } finally {
    await lock.unlock();
  }
}

async function buildIslandsLocked(): Promise<Record<string, string>> {
  const islandFiles = await listModules(new URL("islands/", ROOT_DIR));
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
  // The servable files, bundles included; their hashes make the build id, which versions
  // static file URLs (styles.css) through `asset()`.
  const { files, skipped } = await listStaticFiles(STATIC_DIR);
  for (const reason of skipped) console.warn(`static/ not served: ${reason.slice(1)}`);
  const buildId = await hashOf(new TextEncoder().encode(JSON.stringify(files)));
  const preload: Record<string, string[]> = {};
  for (const [island, url] of Object.entries(islands)) {
    preload[island] = (await staticImports(url.replace("/_islands/", ""))).map((f) =>
      `/_islands/${f}`
    );
  }
  // Written last and only when changed: `deno task dev` restarts the server when it changes.
  const manifestFile = new URL("manifest.json", ISLANDS_DIR);
  const manifest = JSON.stringify({ buildId, islands, preload, files }, null, 2) + "\n";
  if (manifest !== await Deno.readTextFile(manifestFile).catch(() => null)) {
    await Deno.writeTextFile(new URL("manifest.json", tmp), manifest);
    await Deno.rename(new URL("manifest.json", tmp), manifestFile);
  }
  await Deno.remove(tmp, { recursive: true });
  return islands;
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
