/** `fresh.config.ts`: the page layer's configuration and plugins (Fresh 1.x's `defineConfig`). */

/** A build step the page layer runs (Fresh 1.x's plugin build hooks). */
export interface Plugin {
  name: string;
  /** Runs when a build starts (`deno task build`, and each rebuild of `deno task dev`). */
  buildStart?(config: FreshConfig): void | Promise<void>;
  /** Runs when the build is done. */
  buildEnd?(): void | Promise<void>;
}

/** The page layer's configuration. */
export interface FreshConfig {
  plugins?: Plugin[];
  /** Not in Fresh: the largest request body a page accepts, {@linkcode MAX_FORM_BYTES} unless set. */
  maxFormBytes?: number;
  /** Not in Fresh: whether a page's response may be gzip-compressed; all are unless this says no. */
  compress?(url: URL): boolean;
}

/** Largest form body a page accepts unless the configuration says otherwise. */
export const MAX_FORM_BYTES = 64 * 1024;

/** Checks nothing and returns `config`: it types `fresh.config.ts` (as in Fresh). */
export function defineConfig(config: FreshConfig): FreshConfig {
  return config;
}
