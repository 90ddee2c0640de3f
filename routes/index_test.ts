import assert from "node:assert/strict";
import { createTestApp } from "../lib/testing/app.ts";

Deno.test("GET / shows signed-out visitors what the app is, how to sign in and the MCP URL; signed-in people go on to /todoapp", async () => {
  using test = await createTestApp({ env: { PUBLIC_URL: "https://todos.example" } });
  const res = await test.request("/", { headers: { Accept: "text/html" } });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<title>Welcome · Todos<\/title>/);
  assert.match(html, /<h1>Your todo list, for you and your AI agents<\/h1>/);
  assert.match(html, /href="\/login\?returnTo=%2Ftodoapp"/);
  assert.match(html, /<input class="mcp-url" value="https:\/\/todos\.example\/mcp" readonly/);
  assert.match(html, /<pages-island data-island="McpUrl"/);
  assert.match(html, /<a class="skip-link" href="#main">/);
  assert.match(html, /<main class="card landing" id="main">/);

  const cookie = await test.signIn("ada@example.com");
  const signedIn = await test.request("/", { headers: { Cookie: cookie } });
  assert.equal(signedIn.status, 302);
  assert.equal(signedIn.headers.get("Location"), "/todoapp");
});
