/** `fresh.config.ts`: the page layer's configuration and plugins (Fresh 1.x's `defineConfig`). */

/** A build step the page layer runs (Fresh 1.x's plugin build hooks). */
export interface Plugin {
  name: string;
  /**
   * Runs when a build bundles the islands (`deno task build`, and each rebuild of
   * `deno task dev`): when one of the islands' or the plugins' inputs changed.
   */
  buildStart?(config: FreshConfig): void | Promise<void>;
  /**
   * Files (relative to the project root) that the plugin's output depends on; for a module,
   * every project file it imports too. A change to one of them makes the next build run.
   */
  inputs?: string[];
}

/** The page layer's configuration. */
export interface FreshConfig {
  plugins?: Plugin[];
  /** Not in Fresh: whether a page's response may be gzip-compressed; all are unless this says no. */
  compress?(url: URL): boolean;
}

/** Checks nothing and returns `config`: it types `fresh.config.ts` (as in Fresh). */
export function defineConfig(config: FreshConfig): FreshConfig {
  return config;
}
