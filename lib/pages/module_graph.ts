/** Deno's module graph as `deno info --json` reads it: what the build and start-up tests walk. */

/**
 * Every module `entry` (a path relative to `root`) imports statically, directly or through
 * other modules, itself included, as specifiers; dynamic imports are left out.
 */
export async function staticImports(root: URL, entry: string): Promise<string[]> {
  const output = await new Deno.Command("deno", {
    args: ["info", "--json", entry],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`deno info ${entry}: ${new TextDecoder().decode(output.stderr)}`);
  }
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
  return [...seen];
}
