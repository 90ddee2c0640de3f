/**
 * Imports a module on its first use, keeping its modules out of start-up. Deno reads and
 * prepares the whole graph behind every `import("./literal.ts")` before the program runs, so
 * the specifier is handed over as a URL value; the caller names the module's type with an
 * `import type` of the same path, which keeps type checks and the layering test's edges.
 */
export function lazyImport<Module>(url: URL): () => Promise<Module> {
  let loading: Promise<Module> | undefined;
  return () =>
    loading ??= (import(url.href) as Promise<Module>).catch((error) => {
      loading = undefined;
      throw error;
    });
}
