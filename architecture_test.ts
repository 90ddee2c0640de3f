/**
 * Checks the layering rule of ARCHITECTURE.md against Deno's module graph (`deno info --json`):
 * every project module belongs to a layer, imports point to its own layer or lower ones,
 * sibling folders marked "apart" never import each other, and no two folders import each other
 * in a cycle. The layer table is read from ARCHITECTURE.md, so the document and the check agree.
 * Also: no two files under lib/ share a name unless it is a module's conventional face, and
 * every repo path the docs and comments name exists.
 */
import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const ROOT = fromFileUrl(new URL(".", import.meta.url));

interface Layer {
  name: string;
  /** Paths relative to the root: a folder ends with `/`, anything else is one file. */
  members: string[];
  /** Folders of this layer that must not import each other. */
  apart: boolean;
}

/** The ```layers block of ARCHITECTURE.md, top layer first: `name  member member [apart]`. */
async function readLayers(): Promise<Layer[]> {
  const text = await Deno.readTextFile(new URL("./ARCHITECTURE.md", import.meta.url));
  const block = text.match(/```layers\n([\s\S]*?)```/)?.[1];
  assert.ok(block, "ARCHITECTURE.md has a ```layers block");
  return block.trim().split("\n").map((line) => {
    const [name, ...rest] = line.trim().split(/\s+/);
    const apart = rest.at(-1) === "(apart)";
    return { name, members: apart ? rest.slice(0, -1) : rest, apart };
  });
}

/** Every project source file (not tests), as paths relative to the root. */
function sourceFiles(): string[] {
  const out = new Deno.Command("git", { args: ["ls-files", "*.ts", "*.tsx"], cwd: ROOT })
    .outputSync();
  return new TextDecoder().decode(out.stdout).split("\n")
    .filter((path) => path && !/_test\.tsx?$/.test(path));
}

/** Every file git tracks or would track (not ignored), relative to the root. */
async function trackedFiles(): Promise<string[]> {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n")
    .filter((path) => path && !path.startsWith("node_modules/"));
}

/** Project-internal import edges between source files, from one `deno info --json` run. */
async function importEdges(files: string[]): Promise<Array<[string, string]>> {
  const dir = await Deno.makeTempDir();
  try {
    const root = `${dir}/all.ts`;
    const lines = files.map((f) => `import "${new URL(f, `file://${ROOT}`).href}";`);
    await Deno.writeTextFile(root, lines.join("\n"));
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", `${ROOT}deno.json`, root],
      cwd: ROOT,
      stderr: "null",
    }).output();
    const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      modules: Array<
        { specifier: string; dependencies?: Array<Record<string, { specifier?: string }>> }
      >;
    };
    const local = (specifier?: string) =>
      specifier?.startsWith(`file://${ROOT}`) ? relative(ROOT, fromFileUrl(specifier)) : null;
    const edges: Array<[string, string]> = [];
    for (const module of graph.modules) {
      const from = local(module.specifier);
      if (!from || !files.includes(from)) continue;
      for (const dependency of module.dependencies ?? []) {
        for (const to of [local(dependency.code?.specifier), local(dependency.type?.specifier)]) {
          if (to && to !== from && files.includes(to)) edges.push([from, to]);
        }
      }
    }
    return edges;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The folder a file counts in: its top-level folder, or lib/<folder>; a file on its own otherwise. */
function folderOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] === "lib" && parts.length > 2) return `lib/${parts[1]}/`;
  return parts.length > 1 && parts[0] !== "lib" ? `${parts[0]}/` : path;
}

const layers = await readLayers();
const files = sourceFiles();
const edges = await importEdges(files);

/** Index of the layer holding `path` (0 = top), and the member it matched. */
function placeOf(path: string): { layer: number; member: string } | null {
  for (const [layer, { members }] of layers.entries()) {
    for (const member of members) {
      if (member.endsWith("/") ? path.startsWith(member) : path === member) {
        return { layer, member };
      }
    }
  }
  return null;
}

Deno.test("every source file belongs to a layer of ARCHITECTURE.md", () => {
  const unplaced = files.filter((path) => placeOf(path) === null);
  assert.deepEqual(unplaced, [], "add these files' folders to the layers block");
});

Deno.test("imports point to the same layer or a lower one", () => {
  const upward = edges.filter(([from, to]) => placeOf(to)!.layer < placeOf(from)!.layer)
    .map(([from, to]) =>
      `${from} (${layers[placeOf(from)!.layer].name}) -> ${to} (${layers[placeOf(to)!.layer].name})`
    );
  assert.deepEqual(upward, []);
});

Deno.test("folders marked apart never import each other", () => {
  const crossing = edges.filter(([from, to]) => {
    const a = placeOf(from)!, b = placeOf(to)!;
    return a.layer === b.layer && layers[a.layer].apart && a.member !== b.member;
  }).map(([from, to]) => `${from} -> ${to}`);
  assert.deepEqual(crossing, []);
});

Deno.test("no two folders import each other, directly or in a cycle", () => {
  const next = new Map<string, Set<string>>();
  for (const [from, to] of edges) {
    const a = folderOf(from), b = folderOf(to);
    if (a !== b) next.set(a, (next.get(a) ?? new Set()).add(b));
  }
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (folder: string) => {
    state.set(folder, "open");
    path.push(folder);
    for (const to of next.get(folder) ?? []) {
      if (state.get(to) === "open") cycles.push([...path.slice(path.indexOf(to)), to].join(" -> "));
      else if (!state.has(to)) visit(to);
    }
    path.pop();
    state.set(folder, "done");
  };
  for (const folder of [...next.keys()].sort()) if (!state.has(folder)) visit(folder);
  assert.deepEqual(cycles, []);
});

/** A module's conventional faces: these names may repeat under lib/, once per folder. */
const FACES = new Set([
  "mod.ts",
  "app.ts",
  "errors.ts",
  "context.ts",
  "metadata.ts",
  "scopes.ts",
  "limits.ts",
]);

Deno.test("no two source files under lib/ share a name, except a module's conventional faces", () => {
  const byName = new Map<string, string[]>();
  for (const path of files.filter((path) => path.startsWith("lib/"))) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    byName.set(name, [...byName.get(name) ?? [], path]);
  }
  const shared = [...byName].filter(([name, paths]) => paths.length > 1 && !FACES.has(name))
    .map(([, paths]) => paths.join(" and "));
  assert.deepEqual(shared, [], "name each file for what it holds, so its path tells them apart");
});

/** Repo paths named in `text`: folder-prefixed paths, and backquoted file names. */
function pathsNamedIn(text: string): Set<string> {
  const named = new Set<string>();
  const folders = "lib|routes|islands|components|browser|todo_list|mcp_app|bench|e2e|static|docs";
  for (
    const [, path] of text.matchAll(
      new RegExp(`(?<![\\w/])((?:${folders})/[\\w./()\\[\\]-]*)`, "g"),
    )
  ) {
    let clean = path.split("](")[0].replace(/:\d+$/, "").replace(/[.,:]+$/, "");
    while (clean.endsWith(")") && clean.split("(").length < clean.split(")").length) {
      clean = clean.slice(0, -1).replace(/[.,]+$/, "");
    }
    named.add(clean);
  }
  for (const [, file] of text.matchAll(/`([\w.-]+\.(?:ts|tsx|md))`/g)) named.add(file);
  return named;
}

/** The comment lines of a source file (where a path is prose, not an import). */
function commentLines(source: string): string {
  return source.split("\n").filter((line) => /^\s*(?:\/\/|\*|\/\*)/.test(line)).join("\n");
}

/** Whether `path` exists; the build's output (`static/_islands/`) counts as present. */
function exists(path: string): boolean {
  if (path.startsWith("static/_islands")) return true;
  try {
    Deno.statSync(new URL(path, `file://${ROOT}`));
    return true;
  } catch {
    return false;
  }
}

Deno.test("every path ARCHITECTURE.md names exists", async () => {
  const named = pathsNamedIn(await Deno.readTextFile(`${ROOT}ARCHITECTURE.md`));
  assert.ok(named.size > 40, `found only ${named.size} paths; did the document's format change?`);
  assert.deepEqual([...named].filter((path) => !exists(path)), []);
});

Deno.test("every repo path named in the README, docs/ and code comments exists", async () => {
  const missing: string[] = [];
  for (const file of await trackedFiles()) {
    if (!/\.(?:md|tsx?)$/.test(file) || file.startsWith("static/_islands")) continue;
    const text = await Deno.readTextFile(`${ROOT}${file}`);
    const prose = file.endsWith(".md") ? text : commentLines(text);
    for (const path of pathsNamedIn(prose)) {
      // Bare file names here are often illustrations (`about.tsx` -> `/about`): only paths count.
      if (path.includes("/") && !exists(path)) missing.push(`${file} names ${path}`);
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("code and docs carry no tracker references", async () => {
  const found: string[] = [];
  for (const file of await trackedFiles()) {
    if (!/\.(?:md|tsx?)$/.test(file)) continue;
    const text = await Deno.readTextFile(`${ROOT}${file}`);
    for (const [match] of text.matchAll(/\b(?:issue|ticket) #?\d+\b/gi)) {
      found.push(`${file}: ${match}`);
    }
  }
  assert.deepEqual(found, []);
});
