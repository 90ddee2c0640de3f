/**
 * The MCP App view: `listTodos` names it in `_meta.ui.resourceUri` for clients of
 * both eras, and `resources/read` returns the built, self-contained HTML document.
 */
import assert from "node:assert/strict";
import { startMcpTestEnv } from "../testing/mcp.ts";
import { MAX_VIEW_BYTES, VIEW_FILE } from "../../mcp_app/build.ts";
import { readViewHtml, VIEW_MIME_TYPE, VIEW_URI } from "./app_resource.ts";

type Contents = { uri: string; mimeType?: string; text?: string; _meta?: Record<string, unknown> };

Deno.test("listTodos declares the view's ui:// URI in _meta.ui.resourceUri to v1 and v2 clients of both eras", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const clients = [
    await env.connect(token),
    await env.connectV2(token, "2026-07-28"),
    await env.connectV2(token, "legacy"),
  ];
  for (const client of clients) {
    const { tools } = await client.listTools();
    const list = tools.find((tool) => tool.name === "listTodos")!;
    assert.deepEqual(list._meta?.ui, { resourceUri: VIEW_URI });
    assert.match(VIEW_URI, /^ui:\/\//);
    // Only the list has a view; the write tools answer in text and JSON.
    for (const tool of tools.filter((tool) => tool.name !== "listTodos")) {
      assert.equal(tool._meta?.ui, undefined, tool.name);
    }
    await client.close();
  }
});

Deno.test("resources/read of the view URI returns one self-contained HTML document as text/html;profile=mcp-app, in both eras", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const texts: string[] = [];
  for (const client of [await env.connect(token), await env.connectV2(token, "2026-07-28")]) {
    const { contents } = await client.readResource({ uri: VIEW_URI });
    assert.equal(contents.length, 1);
    const [content] = contents as Contents[];
    assert.equal(content.uri, VIEW_URI);
    assert.equal(content.mimeType, VIEW_MIME_TYPE);
    assert.deepEqual(content._meta?.ui, { csp: {}, prefersBorder: true });
    texts.push(content.text!);
    await client.close();
  }
  assert.equal(texts[0], texts[1]);
  const html = texts[0];
  assert.equal(html, await Deno.readTextFile(VIEW_FILE));
  assert.match(html, /^<!doctype html>\n<html lang="en">/);
  assert.match(html, /<script type="module">[^]+<\/script>\n<\/body>\n<\/html>\n$/);
  assert.ok(new TextEncoder().encode(html).length < MAX_VIEW_BYTES);
});

Deno.test("the view document loads nothing: no src, href, url() or @import to any origin, and its CSP allows no network", async () => {
  const html = await readViewHtml();
  // Every script and style is inline: no element names another file or origin.
  assert.doesNotMatch(
    html,
    /<(script|img|iframe|link|object|embed|source|audio|video)\b[^>]*\b(src|href|data)\s*=/i,
  );
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /@import|url\(\s*['"]?(https?:|\/\/)/i);
  assert.doesNotMatch(html, /\b(src|href|action)\s*=\s*["']?(https?:)?\/\//i);
  const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)![1];
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/]+=*';/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|connect-src/);
  // Exactly one script: the bundle, whose hash is the one the CSP allows.
  assert.equal(html.match(/<script\b/g)?.length, 1);
  const script = html.match(/<script type="module">([^]*)<\/script>/)![1];
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(script));
  assert.ok(csp.includes(new Uint8Array(digest).toBase64()));
});

Deno.test("resources/read of the view needs the read scope, like every read", async () => {
  await using env = await startMcpTestEnv();
  const res = await env.post(await env.token("user-a", { scope: "write:todos" }), {
    jsonrpc: "2.0",
    id: 1,
    method: "resources/read",
    params: { uri: VIEW_URI },
  });
  assert.equal(res.status, 403);
  await res.body?.cancel();
});
