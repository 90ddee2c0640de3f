/**
 * Imports a module on its first use rather than at start-up. The loader is a plain
 * `() => import("./literal.ts")`: Deno Deploy resolves only dynamic imports whose specifier is
 * a string literal, so that is the only form used. A failed load is tried again next time (a
 * module whose own code threw stays failed in Deno's module cache).
 */
export function lazyImport<Module>(load: () => Promise<Module>): () => Promise<Module> {
  let loading: Promise<Module> | undefined;
  return () =>
    loading ??= load().catch((error) => {
      loading = undefined;
      throw error;
    });
}
