/**
 * Rendered pages kept per app (isolate) for `ctx.render(data, { memo })`: a page whose HTML
 * depends only on what `memo.key` names plus data at `memo.version` is rendered once per
 * version, and gzip'd once, instead of on every request.
 */

/** Most bytes of kept pages (HTML plus its gzip) one app holds; least recently used go first. */
export const PAGE_CACHE_BYTES = 16 * 1024 * 1024;

/** A rendered page: its UTF-8 bytes, and its gzip once that is made (off the request path). */
export interface KeptPage {
  version: string;
  html: Uint8Array<ArrayBuffer>;
  gzip?: Uint8Array<ArrayBuffer>;
}

/** Kept pages by key, up to `budget` bytes in all. */
export class PageCache {
  #pages = new Map<string, KeptPage>();
  #bytes = 0;

  constructor(readonly budget = PAGE_CACHE_BYTES) {}

  /**
   * The page kept under `key` at `version`, or a new one from `render()`, kept (replacing an
   * older version) and gzip'd in the background for the next request that accepts gzip.
   */
  page(key: string, version: string, render: () => string): KeptPage {
    const kept = this.#pages.get(key);
    if (kept?.version === version) {
      this.#pages.delete(key); // most recently used goes last
      this.#pages.set(key, kept);
      return kept;
    }
    const page: KeptPage = { version, html: new TextEncoder().encode(render()) };
    this.#drop(key);
    if (page.html.byteLength * 2 > this.budget) return page;
    this.#pages.set(key, page);
    this.#bytes += page.html.byteLength;
    this.#trim();
    this.#gzipLater(key, page);
    return page;
  }

  /** How many pages and bytes are kept (for tests). */
  get size(): { pages: number; bytes: number } {
    return { pages: this.#pages.size, bytes: this.#bytes };
  }

  #gzipLater(key: string, page: KeptPage): void {
    const gzipped = new Response(page.html).body!.pipeThrough(new CompressionStream("gzip"));
    new Response(gzipped).bytes().then((gzip) => {
      if (this.#pages.get(key) !== page) return; // replaced or dropped meanwhile
      page.gzip = gzip;
      this.#bytes += gzip.byteLength;
      this.#trim();
    }, () => {});
  }

  #trim(): void {
    for (const oldest of this.#pages.keys()) {
      if (this.#bytes <= this.budget) break;
      this.#drop(oldest);
    }
  }

  #drop(key: string): void {
    const kept = this.#pages.get(key);
    if (!kept) return;
    this.#pages.delete(key);
    this.#bytes -= kept.html.byteLength + (kept.gzip?.byteLength ?? 0);
  }
}
