/**
 * Test helpers for the static file handler's attack tests: raw HTTP requests over TCP (so a
 * path reaches the server exactly as written, not normalised by `fetch`), a throw-away copy
 * of the project layout with secrets next to `static/`, and a seeded generator of encoded
 * `../` paths.
 */
import { Hono } from "hono";
import { serveStatic } from "../pages/static.ts";
import { listStaticFiles } from "../pages/static_files.ts";

/** A response read off the wire: status code and the whole raw text (head and body). */
export interface RawResponse {
  status: number;
  text: string;
}

/** Sends `GET <target>` as written (no normalisation) to 127.0.0.1:`port` and reads the answer. */
export async function rawGet(port: number, target: string): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/html\r\n` +
          "Connection: close\r\n\r\n",
      ),
    );
    const text = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
    const status = Number(text.match(/^HTTP\/1\.1 (\d{3}) /)?.[1] ?? NaN);
    return { status, text };
  } catch (error) {
    conn.close();
    throw error;
  }
}

/**
 * Secret files a leak would expose, relative to the project root, with contents no served
 * file contains. {@linkcode createLeakTree} writes them next to its `static/`.
 */
export const SECRETS: Readonly<Record<string, string>> = {
  ".env": "STYTCH_SECRET=secret-marker-env-7f3a\n",
  "deno.json": '{ "marker": "secret-marker-deno-json-91c2" }\n',
  "README.md": "# secret-marker-readme-0b4e\n",
  ".git/HEAD": "ref: refs/heads/secret-marker-git-head-5d18\n",
  "data/todos.sqlite3": "SQLite format 3\0secret-marker-kv-file-c6e0\n",
};

/** True when `text` contains any of {@linkcode SECRETS}' markers. */
export function leaksSecret(text: string): boolean {
  return /secret-marker-/.test(text);
}

/** A temporary project copy: `static/` (a stylesheet, an island folder) beside the secrets. */
export interface LeakTree extends AsyncDisposable {
  root: URL;
  static: URL;
  /** Port of a real server (Deno.serve on loopback) serving `static/` with `serveStatic`. */
  port: number;
  /** The same handler in process (`app.fetch`; the URL is normalised by `Request`). */
  app: Hono;
}

/** Creates the temporary tree and serves its `static/` as the app does (build-time list). */
export async function createLeakTree(): Promise<LeakTree> {
  const root = new URL(`file://${await Deno.makeTempDir({ prefix: "static-attack-" })}/`);
  for (const [path, content] of Object.entries(SECRETS)) {
    const file = new URL(path, root);
    await Deno.mkdir(new URL(".", file), { recursive: true });
    await Deno.writeTextFile(file, content);
  }
  const dir = new URL("static/", root);
  await Deno.mkdir(new URL("_islands/", dir), { recursive: true });
  await Deno.writeTextFile(new URL("styles.css", dir), "body { color: black }\n");
  await Deno.writeTextFile(new URL("_islands/App-0123456789ab.js", dir), "export {};\n");
  const { files } = await listStaticFiles(dir);
  const app = new Hono();
  app.get("*", serveStatic(dir, files));
  app.notFound((c) => c.text("Not found.", 404));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  return {
    root,
    static: dir,
    port: server.addr.port,
    app,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex2 = (char: string) => char.charCodeAt(0).toString(16).padStart(2, "0");

/** Ways to write a `.` that some decoder somewhere might turn back into a dot. */
const DOTS = [
  ".",
  "%2e",
  "%2E",
  "%252e",
  "%252E",
  "%25252e",
  "%c0%ae",
  "%C0%AE",
  "%e0%80%ae",
  "%f0%80%80%ae",
  "%25c0%25ae",
  "%u002e",
  "%ef%bc%8e",
];
/** Ways to write a `/`. */
const SLASHES = [
  "/",
  "%2f",
  "%2F",
  "%252f",
  "%25252f",
  "\\",
  "%5c",
  "%5C",
  "%255c",
  "%c0%af",
  "%e0%80%af",
  "%u2215",
];
/** Suffixes that smuggle an allowed extension past a check that stops at `?`, `#` or NUL. */
const SMUGGLES = [
  "",
  "",
  "%3f.css",
  "%3F.js",
  "%253f.css",
  "%25253f.css",
  "%23.css",
  "%2523.svg",
  "%00.css",
  "%2500.css",
  "?.css",
  "#.css",
  "%3f",
  ";.css",
];

/**
 * A random spelling of `../`×`depth` + `target` (a path such as `.git/HEAD`), each dot,
 * slash and (sometimes) other character encoded its own way: once, twice, three times,
 * as overlong UTF-8, with backslashes, with dot segments in between, with an extension
 * smuggled after an encoded `?`/`#`/NUL, in mixed case.
 */
export function encodedTraversal(random: () => number, target: string, depth = 1): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const dot = () => random() < 0.15 ? "." : pick(DOTS);
  const slash = () => random() < 0.3 ? "/" : pick(SLASHES);
  let path = "/";
  if (random() < 0.2) path += `_islands${slash()}`, depth++;
  for (let i = 0; i < depth; i++) {
    if (random() < 0.15) path += `${dot()}${slash()}`; // a `./` segment
    path += `${dot()}${dot()}${slash()}`;
  }
  for (const char of target) {
    if (char === ".") path += dot();
    else if (char === "/") path += slash();
    else if (random() < 0.1) path += `%${random() < 0.5 ? hex2(char) : hex2(char).toUpperCase()}`;
    else if (random() < 0.05) path += `%25${hex2(char)}`;
    else path += char;
  }
  return path + pick(SMUGGLES);
}
