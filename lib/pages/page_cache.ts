/**
 * Rendered pages kept per app (isolate) for `ctx.render(data, { memo })`: a page whose HTML
 * depends only on what `memo.key` names plus data at `memo.version` is rendered once per
 * version, and gzip'd once, instead of on every request.
 *
 * The HTML is kept as a string: a `Response` made from a string hands it to Deno's HTTP server
 * as it is, while one made from a `Uint8Array` copies the bytes into a new buffer that lives
 * until the next garbage collection (55 KB per answer of a 100-todo page).
 */
import { PAGE_CACHE_BYTES } from "../tuning.ts";

/** A rendered page: its HTML, and its gzip once that is made (off the request path). */
export interface KeptPage {
  version: string;
  html: string;
  gzip?: Uint8Array<ArrayBuffer>;
}

/** Kept pages by key, up to `budget` bytes in all. */
export class PageCache {
  #pages = new Map<string, KeptPage>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(readonly budget = PAGE_CACHE_BYTES) {}

  /**
   * The page kept under `key` at `version`, or a new one from `render()`, kept (replacing an
   * older version) and gzip'd in the background for the next request that accepts gzip.
   */
  page(key: string, version: string, render: () => string): KeptPage {
    const kept = this.#pages.get(key);
    if (kept?.version === version) {
      this.#hits++;
      this.#pages.delete(key); // most recently used goes last
      this.#pages.set(key, kept);
      return kept;
    }
    this.#misses++;
    const page: KeptPage = { version, html: render() };
    this.#drop(key);
    const bytes = htmlBytes(page.html);
    if (bytes * 2 > this.budget) return page;
    this.#pages.set(key, page);
    this.#bytes += bytes;
    this.#trim();
    this.#gzipLater(key, page);
    return page;
  }

  /** How many pages and bytes are kept (for tests). */
  get size(): { pages: number; bytes: number } {
    return { pages: this.#pages.size, bytes: this.#bytes };
  }

  /** Pages answered from the cache, pages rendered, and bytes held (for the benchmark). */
  get stats(): { hits: number; misses: number; bytes: number } {
    return { hits: this.#hits, misses: this.#misses, bytes: this.#bytes };
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
    this.#bytes -= htmlBytes(kept.html) + (kept.gzip?.byteLength ?? 0);
  }
}

/** The bytes V8 holds for `html`: one per character of Latin-1 text, else two. */
export function htmlBytes(html: string): number {
  return /[\u0100-\uffff]/.test(html) ? html.length * 2 : html.length;
}
