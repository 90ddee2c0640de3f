/**
 * Whether the island bundles (and the plugins' outputs) are current. A build records, beside its
 * output, the SHA-256 of every file it read: the project's own modules that the island entries,
 * `dev.ts` and the plugins' inputs import (Deno's module graph, `deno info`), `deno.json`,
 * `deno.lock` and the plugins' other input files; and of every file it wrote. While all of them,
 * the Deno version and the list of islands are unchanged, the build skips bundling.
 */
import { ROOT_DIR } from "./manifest.ts";
import { sha256Hex } from "./static_files.ts";

/** Where a project's build writes (its `static/_islands/`). */
const outputDir = (root: URL) => new URL("static/_islands/", root);
/** The record of a build's inputs and outputs, beside them (hidden, so never served). */
const stampFile = (root: URL) => new URL(".inputs.json", outputDir(root));

/** Files every island build reads besides its modules: the import map and the lockfile. */
const ALWAYS_READ = ["deno.json", "deno.lock"];

/** What a build records: paths relative to the project root -> SHA-256 (hex). */
interface Stamp {
  deno: string;
  sources: string[];
  inputs: Record<string, string>;
  outputs: Record<string, string>;
}

/** The build's own files under `static/_islands/`, which are no output of bundling. */
const isBookkeeping = (name: string) =>
  name === "manifest.json" || name === ".lock" || name === ".tmp" || name === ".inputs.json" ||
  name.startsWith(".build-");

/** Every file a bundling run wrote (bundles, chunks, plugin outputs), relative to the root. */
async function outputFiles(root: URL): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: URL) => {
    for await (const entry of Deno.readDir(dir)) {
      if (isBookkeeping(entry.name)) continue;
      if (entry.isDirectory) await walk(new URL(`${entry.name}/`, dir));
      else found.push(new URL(entry.name, dir).href.slice(root.href.length));
    }
  };
  await walk(outputDir(root)).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  return found.sort();
}

/** SHA-256 of each file (relative to the root); a missing file hashes to "missing". */
async function hashFiles(root: URL, files: string[]): Promise<Record<string, string>> {
  const hashes = await Promise.all(files.map(async (file) => {
    try {
      return [file, await sha256Hex(await Deno.readFile(new URL(file, root)))] as const;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [file, "missing"] as const;
      throw error;
    }
  }));
  return Object.fromEntries(hashes);
}

const sameRecord = (a: Record<string, string>, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * True when the last build's record matches `sources` (modules, relative to the root): same
 * Deno, same sources, every file it read (its extra inputs included) and wrote unchanged.
 */
export async function buildIsCurrent(sources: string[], root = ROOT_DIR): Promise<boolean> {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(await Deno.readTextFile(stampFile(root)));
  } catch {
    return false; // no record, or an unreadable one: build
  }
  if (stamp.deno !== Deno.version.deno) return false;
  if (JSON.stringify(stamp.sources) !== JSON.stringify(sources)) return false;
  const [inputs, outputs] = await Promise.all([
    hashFiles(root, Object.keys(stamp.inputs ?? {})),
    outputFiles(root).then((files) => hashFiles(root, files)),
  ]);
  return sameRecord(inputs, stamp.inputs) && sameRecord(outputs, stamp.outputs ?? {});
}

/**
 * SHA-256 of every file a build of `sources` reads: their modules, `extra` (further files, modules
 * or not) and the import map and lockfile, relative to the root. Taken before bundling, so a file
 * saved while the bundler runs differs from the record and the next build bundles again.
 */
export async function hashInputs(
  sources: string[],
  extra: string[] = [],
  root = ROOT_DIR,
): Promise<Record<string, string>> {
  const isModule = (file: string) => /\.(tsx|ts|jsx|js|mjs)$/.test(file);
  const modules = [...sources, ...extra.filter(isModule)];
  const plain = extra.filter((file) => !isModule(file));
  const read = [...new Set([...ALWAYS_READ, ...plain, ...await localModules(modules, root)])]
    .sort();
  return await hashFiles(root, read);
}

/**
 * Records a successful build of `sources` (after it wrote everything): the `inputs` hashed before
 * it bundled ({@linkcode hashInputs}) and every file it wrote.
 */
export async function recordBuild(
  sources: string[],
  inputs: Record<string, string>,
  root = ROOT_DIR,
): Promise<void> {
  const stamp: Stamp = {
    deno: Deno.version.deno,
    sources,
    inputs,
    outputs: await hashFiles(root, await outputFiles(root)),
  };
  await Deno.writeTextFile(stampFile(root), JSON.stringify(stamp, null, 2) + "\n");
}

/**
 * The project's own files in the module graphs of `modules` (relative to the root), dynamic
 * and type-only imports included, as `deno info --json` reports them.
 */
export async function localModules(modules: string[], root = ROOT_DIR): Promise<string[]> {
  if (modules.length === 0) return [];
  await Deno.mkdir(outputDir(root), { recursive: true });
  // Scratch space inside the output folder (the build may write nowhere else).
  const tmp = await Deno.makeTempDir({ dir: outputDir(root).pathname, prefix: ".build-inputs-" });
  try {
    const entry = `${tmp}/graph.ts`;
    await Deno.writeTextFile(
      entry,
      modules.map((file) => `import "${new URL(file, root).href}";\n`).join(""),
    );
    const { success, stdout, stderr } = await new Deno.Command("deno", {
      args: ["info", "--json", `--config=${new URL("deno.json", root).pathname}`, entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!success) throw new Error(`deno info failed:\n${new TextDecoder().decode(stderr)}`);
    const graph: { modules: { specifier: string }[] } = JSON.parse(
      new TextDecoder().decode(stdout),
    );
    const entryUrl = new URL(`file://${entry}`).href;
    return graph.modules
      .map((module) => module.specifier)
      .filter((url) => url.startsWith(root.href) && url !== entryUrl)
      .filter((url) => !url.slice(root.href.length).startsWith("node_modules/"))
      .map((url) => decodeURIComponent(url.slice(root.href.length)))
      .sort();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}
