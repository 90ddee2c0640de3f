/**
 * Builds the MCP App view (mcp_app/view.tsx) into one self-contained HTML document: the
 * script bundled and minified by `deno bundle`, the page's stylesheet and the view's own
 * inline, and a Content-Security-Policy that allows exactly those two inline blocks (by hash)
 * and no network at all. The page-layer plugin of mcp_app/plugin.ts (registered in
 * fresh.config.ts) builds it with every build; lib/mcp/app_resource.ts serves the file.
 */
import { STATIC_DIR } from "../lib/pages/assets.ts";
import { bundleForBrowser } from "../lib/pages/bundle.ts";
import { ROOT_DIR } from "../lib/pages/manifest.ts";
import { VIEW_FILE } from "../lib/mcp/app_view_file.ts";

export { VIEW_FILE };

/** The largest view document the build accepts (well under what hosts load quickly). */
export const MAX_VIEW_BYTES = 100 * 1024;

const base64 = (bytes: ArrayBuffer) => new Uint8Array(bytes).toBase64();
const sha256 = async (text: string) =>
  `'sha256-${base64(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))}'`;

/** Text safe inside a `<script>` element: `</script` and `<!--` cannot end or confuse it. */
export function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** The view document for a bundled script and stylesheet text. */
export async function viewDocument(script: string, css: string): Promise<string> {
  const code = inlineScript(script);
  const style = css.replace(/<\/(style)/gi, "<\\/$1");
  const csp = [
    "default-src 'none'",
    `script-src ${await sha256(code)}`,
    `style-src ${await sha256(style)}`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your todos</title>
<style>${style}</style>
</head>
<body>
<main id="app"><p class="loading">Loading your todos…</p></main>
<p id="problem" class="error" role="alert" hidden></p>
<noscript><p class="error">This view needs JavaScript to show your todos.</p></noscript>
<script type="module">${code}</script>
</body>
</html>
`;
}

/** Bundles the view and writes {@link VIEW_FILE}; returns its size in bytes. */
export async function buildMcpApp(): Promise<number> {
  // Scratch space inside the output folder (the build may write nowhere else), one per build.
  const tmp = new URL(`.build-${crypto.randomUUID()}/`, VIEW_FILE);
  await Deno.mkdir(tmp, { recursive: true });
  try {
    const out = new URL("view.js", tmp).pathname;
    await bundleForBrowser([new URL("mcp_app/view.tsx", ROOT_DIR).pathname], { output: out });
    const css = await Deno.readTextFile(new URL("styles.css", STATIC_DIR)) +
      await Deno.readTextFile(new URL("mcp_app/view.css", ROOT_DIR));
    const html = await viewDocument(await Deno.readTextFile(out), css);
    const size = new TextEncoder().encode(html).length;
    if (size > MAX_VIEW_BYTES) {
      throw new Error(`The MCP App view is ${size} bytes; keep it under ${MAX_VIEW_BYTES}.`);
    }
    // Written only when changed: `deno task dev` restarts the server when it changes.
    if (html === await Deno.readTextFile(VIEW_FILE).catch(() => null)) return size;
    const part = new URL("view.html", tmp);
    await Deno.writeTextFile(part, html);
    await Deno.rename(part, VIEW_FILE); // readers never see half a file
    return size;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}
