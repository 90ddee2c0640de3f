/** `deno bundle` for the browser, as every build step and test host of this project runs it. */
import { ROOT_DIR } from "./manifest.ts";

/** Where a bundle goes: one file (`output`) or a folder of entries and chunks (`outdir`). */
export type BundleTarget = { output: string } | { outdir: string; codeSplitting?: boolean };

/**
 * Bundles `entries` (absolute paths) as minified (unless `minify: false`) browser ES modules
 * with the project's deno.json; throws with `deno bundle`'s own message when it fails.
 */
export async function bundleForBrowser(
  entries: string[],
  target: BundleTarget,
  { minify = true }: { minify?: boolean } = {},
): Promise<void> {
  const args = [
    "bundle",
    "--quiet",
    "--platform=browser",
    "--format=esm",
    ...(minify ? ["--minify"] : []),
    `--config=${new URL("deno.json", ROOT_DIR).pathname}`,
    ...("output" in target
      ? [`--output=${target.output}`]
      : [...(target.codeSplitting ? ["--code-splitting"] : []), `--outdir=${target.outdir}`]),
    ...entries,
  ];
  const { success, stderr } = await new Deno.Command("deno", {
    args,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`deno bundle failed:\n${new TextDecoder().decode(stderr)}`);
}
