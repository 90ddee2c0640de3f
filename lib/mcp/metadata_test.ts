import assert from "node:assert/strict";
import { createLocalIdentity } from "../auth/local.ts";
import { createTestApp, TEST_ORIGIN } from "../testing/app.ts";

const AS_METADATA = (origin: string) => ({
  issuer: origin,
  authorization_endpoint: `${origin}/oauth/authorize`,
  token_endpoint: "https://auth.example/v1/oauth2/token",
  registration_endpoint: "https://auth.example/v1/oauth2/register",
});

/** An app whose local identity has (or lacks) authorization-server metadata. */
function appWith(options: { env?: Record<string, string>; metadata?: boolean } = {}) {
  return createTestApp({
    env: options.env,
    identity: (_config, kv) =>
      createLocalIdentity({
        kv,
        authorizationServerMetadata: options.metadata === false ? undefined : AS_METADATA,
      }),
  });
}

Deno.test("protected resource metadata names /mcp, the authorization server and the scopes", async () => {
  using app = await appWith();
  for (
    const path of [
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-protected-resource",
    ]
  ) {
    const response = await app.request(path, { headers: { Origin: "https://any.example" } });
    assert.equal(response.status, 200, path);
    // Built from the request's own origin (no PUBLIC_URL): no cache may keep it.
    assert.equal(response.headers.get("Cache-Control"), "no-store");
    assert.equal(response.headers.get("Access-Control-Allow-Origin"), "*");
    const metadata = await response.json();
    assert.equal(metadata.resource, `${TEST_ORIGIN}/mcp`);
    assert.deepEqual(metadata.authorization_servers, [TEST_ORIGIN]);
    assert.deepEqual(metadata.scopes_supported, ["read:todos", "write:todos"]);
    assert.deepEqual(metadata.bearer_methods_supported, ["header"]);
  }
});

Deno.test("with PUBLIC_URL the metadata never follows the request's Host", async () => {
  using app = await appWith({
    env: { PUBLIC_URL: "https://todos.example" },
  });
  const response = await app.app.fetch(
    new Request("http://127.0.0.1:9999/.well-known/oauth-protected-resource/mcp"),
  );
  assert.equal(response.headers.get("Cache-Control"), "public, max-age=300");
  const metadata = await response.json();
  assert.equal(metadata.resource, "https://todos.example/mcp");
  assert.deepEqual(metadata.authorization_servers, ["https://todos.example"]);
  assert.deepEqual(metadata.scopes_supported, ["read:todos", "write:todos"]);
});

Deno.test("the 401 challenge on /mcp points at the metadata document", async () => {
  using app = await appWith();
  const unauthorized = await app.request("/mcp", { method: "POST" });
  await unauthorized.body?.cancel();
  const url = /resource_metadata="([^"]+)"/.exec(
    unauthorized.headers.get("WWW-Authenticate")!,
  )![1];
  const response = await app.app.fetch(new Request(url));
  assert.equal(response.status, 200);
  assert.equal((await response.json()).resource, `${TEST_ORIGIN}/mcp`);
});

Deno.test("authorization server metadata is served on the app's origin, with CORS", async () => {
  using app = await appWith();
  for (
    const path of ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]
  ) {
    const response = await app.request(path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get("Cache-Control"), "no-store");
    assert.equal(response.headers.get("Access-Control-Allow-Origin"), "*");
    assert.deepEqual(await response.json(), AS_METADATA(TEST_ORIGIN));
  }
  const preflight = await app.request("/.well-known/oauth-authorization-server", {
    method: "OPTIONS",
    headers: {
      Origin: "http://localhost:6274",
      "Access-Control-Request-Method": "GET",
      "Access-Control-Request-Headers": "mcp-protocol-version",
    },
  });
  assert.equal(preflight.status, 204);
  assert.match(preflight.headers.get("Access-Control-Allow-Headers")!, /MCP-Protocol-Version/i);
  // A document this server lacks is a 404 a browser-based client can read, not a CORS error.
  const missing = await app.request("/.well-known/oauth-authorization-server/mcp", {
    headers: { Origin: "http://localhost:6274", Accept: "application/json" },
  });
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get("Access-Control-Allow-Origin"), "*");
  assert.equal(missing.headers.get("Access-Control-Allow-Credentials"), null);
  await missing.body?.cancel();
});

Deno.test("without an authorization server the metadata and guessed endpoints are 404", async () => {
  using app = await appWith({ metadata: false });
  for (const path of ["/.well-known/oauth-authorization-server", "/authorize", "/token"]) {
    const response = await app.request(path, { headers: { Accept: "application/json" } });
    assert.equal(response.status, 404, path);
    await response.body?.cancel();
  }
});

Deno.test("clients that skip discovery are redirected to the real endpoints, query kept", async () => {
  using app = await appWith();
  const authorize = await app.request("/authorize?client_id=abc&state=xyz");
  assert.equal(authorize.status, 307);
  assert.equal(
    authorize.headers.get("Location"),
    `${TEST_ORIGIN}/oauth/authorize?client_id=abc&state=xyz`,
  );
  for (
    const [path, target] of [
      ["/token", "https://auth.example/v1/oauth2/token"],
      ["/register", "https://auth.example/v1/oauth2/register"],
    ]
  ) {
    const response = await app.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=authorization_code",
    });
    assert.equal(response.status, 307, path);
    assert.equal(response.headers.get("Location"), target);
  }
});
