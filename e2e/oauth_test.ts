import { Client, StreamableHTTPClientTransport } from "../lib/testing/mcp_sdk.ts";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { s256 } from "../lib/oauth/pkce.ts";
import { postTokenForm } from "../lib/testing/oauth.ts";
import { launchBrowser, onServer, startServer, type TestServer } from "./browser.ts";

/** A loopback "native app" that receives the authorization response. */
function startCallback() {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () =>
      new Response("<!DOCTYPE html><title>Done</title><p>You can close this window.</p>", {
        headers: { "Content-Type": "text/html" },
      }),
  );
  return {
    uri: `http://127.0.0.1:${server.addr.port}/callback`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

async function register(server: TestServer, redirectUri: string, name: string): Promise<string> {
  const response = await fetch(server.url("/oauth/register"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: name, redirect_uris: [redirectUri] }),
  });
  assert.equal(response.status, 201);
  return (await response.json()).client_id;
}

async function authorizeUrl(
  server: TestServer,
  clientId: string,
  redirectUri: string,
  state = "browser-state",
) {
  const verifier = crypto.randomUUID() + crypto.randomUUID();
  const url = new URL(server.url("/oauth/authorize"));
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
    state,
    scope: "read:todos write:todos",
    resource: server.url("/mcp"),
  }).toString();
  return { url: url.href, verifier };
}

/** Goes from the authorize URL through the login form to the consent page. */
async function signInToConsent(page: Page, url: string, email: string) {
  await page.goto(url);
  assert.equal(new URL(page.url()).pathname, "/login");
  await page.fill("#email", email);
  await page.click("button[type=submit]");
  await page.waitForURL((at) => at.pathname === "/oauth/authorize");
}

Deno.test("OAuth consent in Chromium", async (t) => {
  await using server = await startServer();
  await using callback = startCallback();
  await using browser = await launchBrowser();
  // One page for every step (each starts with no cookies, storage or routes of the last).
  await using tab = await browser.keepPage();

  await t.step(
    "sign-in and Allow give a token that works at /mcp until the app is revoked",
    () =>
      tab.run(async (page) => {
        const clientId = await register(server, callback.uri, "Browser <b>Agent</b>");
        const { url, verifier } = await authorizeUrl(server, clientId, callback.uri);
        await signInToConsent(page, url, "ada@example.com");
        assert.equal(await page.locator(".client-name").textContent(), "Browser <b>Agent</b>");
        assert.equal(
          await page.locator(".redirect-host").textContent(),
          new URL(callback.uri).host,
        );
        await page.click("button[value=allow]");
        await page.waitForURL((at) => at.href.startsWith(callback.uri));
        const landed = new URL(page.url());
        assert.equal(landed.searchParams.get("state"), "browser-state");
        assert.equal(landed.searchParams.get("iss"), server.origin);
        const code = landed.searchParams.get("code")!;

        const tokenResponse = await postTokenForm(onServer(server), {
          grant_type: "authorization_code",
          client_id: clientId,
          code,
          code_verifier: verifier,
          redirect_uri: callback.uri,
          resource: server.url("/mcp"),
        });
        assert.equal(tokenResponse.status, 200);
        const { access_token } = await tokenResponse.json();

        const client = new Client({ name: "browser-test", version: "1.0.0" });
        await client.connect(
          new StreamableHTTPClientTransport(new URL(server.url("/mcp")), {
            requestInit: { headers: { Authorization: `Bearer ${access_token}` } },
          }),
        );
        try {
          await client.callTool({
            name: "createTodo",
            arguments: { todoText: "From the browser" },
          });
          const listed = await client.callTool({ name: "listTodos", arguments: {} });
          assert.match(JSON.stringify(listed.structuredContent), /From the browser/);
        } finally {
          await client.close();
        }

        // Revoking the app on Connected apps stops its token at once.
        await page.goto(server.url("/connections"));
        const row = page.locator("li.todo", { hasText: "Browser <b>Agent</b>" });
        await row.locator("button", { hasText: "Revoke" }).click();
        await page.waitForURL((at) =>
          at.pathname === "/connections" && at.search.includes("revoked")
        );
        assert.equal(await page.locator("li.todo").count(), 0);
        const refused = await fetch(server.url("/mcp"), {
          method: "POST",
          headers: {
            Authorization: `Bearer ${access_token}`,
            "Content-Type": "application/json",
            Accept: "application/json, text/event-stream",
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
        });
        assert.equal(refused.status, 401);
        await refused.body?.cancel();
      }),
  );

  await t.step(
    "Deny sends access_denied back and remembers nothing",
    () =>
      tab.run(async (page) => {
        const clientId = await register(server, callback.uri, "Denied Agent");
        const { url } = await authorizeUrl(server, clientId, callback.uri);
        await signInToConsent(page, url, "bob@example.com");
        await page.click("button[value=deny]");
        await page.waitForURL((at) => at.href.startsWith(callback.uri));
        const landed = new URL(page.url());
        assert.equal(landed.searchParams.get("error"), "access_denied");
        assert.equal(landed.searchParams.get("code"), null);
        await page.goto(server.url("/connections"));
        assert.equal(await page.locator("li.todo").count(), 0);
      }),
  );

  await t.step(
    "an authorize URL over 2,048 characters still reaches the consent page after sign-in",
    () =>
      tab.run(async (page) => {
        const longUri = `${callback.uri}/${"x".repeat(1200)}`;
        const clientId = await register(server, longUri, "Long URL Agent");
        const state = "s".repeat(1200);
        const { url } = await authorizeUrl(server, clientId, longUri, state);
        assert.ok(url.length > 2048, `${url.length} characters`);
        await signInToConsent(page, url, "carol@example.com");
        assert.equal(await page.locator(".client-name").textContent(), "Long URL Agent");
        await page.click("button[value=allow]");
        await page.waitForURL((at) => at.href.startsWith(longUri));
        const landed = new URL(page.url());
        assert.equal(landed.searchParams.get("state"), state);
        assert.ok(landed.searchParams.get("code"));
      }),
  );

  await t.step(
    "consent remembered, browser signed out: signing in again lands at the callback with a code",
    () =>
      tab.run(async (page, { context }) => {
        const clientId = await register(server, callback.uri, "Returning Agent");
        const first = await authorizeUrl(server, clientId, callback.uri, "first");
        await signInToConsent(page, first.url, "dana@example.com");
        await page.click("button[value=allow]");
        await page.waitForURL((at) => at.href.startsWith(callback.uri));

        // Signed out (cookies cleared), the app asks again: sign-in alone must finish the flow,
        // though the login form's CSP says form-action 'self' and the callback is elsewhere.
        await context.clearCookies();
        const again = await authorizeUrl(server, clientId, callback.uri, "second");
        await page.goto(again.url);
        assert.equal(new URL(page.url()).pathname, "/login");
        await page.fill("#email", "dana@example.com");
        await page.click("button[type=submit]");
        await page.waitForURL((at) => at.href.startsWith(callback.uri), { timeout: 5000 });
        const landed = new URL(page.url());
        assert.equal(landed.searchParams.get("state"), "second");
        assert.equal(landed.searchParams.get("iss"), server.origin);
        const tokenResponse = await postTokenForm(onServer(server), {
          grant_type: "authorization_code",
          client_id: clientId,
          code: landed.searchParams.get("code")!,
          code_verifier: again.verifier,
          redirect_uri: callback.uri,
          resource: server.url("/mcp"),
        });
        assert.equal(tokenResponse.status, 200);
        assert.ok((await tokenResponse.json()).access_token);
      }),
  );
});
