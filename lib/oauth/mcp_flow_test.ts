/**
 * End to end, in-process: the MCP SDK's own OAuth client support against the real app. The
 * test plays the person: it signs in and allows through the HTML forms, following redirects
 * by hand.
 */
import {
  Client,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthTokens,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from "../testing/mcp_sdk.ts";
import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN, type TestApp } from "../testing/app.ts";
import { csrfTokenOf } from "../testing/oauth.ts";
import { continueTarget } from "../testing/sign_in.ts";

const REDIRECT_URL = "http://127.0.0.1:47123/oauth/callback";

/** An in-memory OAuthClientProvider, as a native MCP client would keep its state. */
class MemoryOAuthProvider implements OAuthClientProvider {
  /** `clientMetadataUrl`: the client's metadata document URL, if it publishes one. */
  constructor(readonly clientMetadataUrl?: string) {}
  client?: OAuthClientInformationMixed;
  savedTokens?: OAuthTokens;
  verifier?: string;
  authorizationUrl?: URL;
  readonly redirectUrl = REDIRECT_URL;
  readonly clientMetadata: OAuthClientMetadata = {
    client_name: "SDK Test Client",
    redirect_uris: [REDIRECT_URL],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
  };
  state() {
    return "sdk-state";
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.savedTokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    if (!this.verifier) throw new Error("no code verifier saved");
    return this.verifier;
  }
}

/** `fetch` answered by the app in-process. */
const inProcess = (app: TestApp) => (input: string | URL | Request, init?: RequestInit) =>
  Promise.resolve(app.app.fetch(new Request(input, init)));

/** Plays the person: follows the authorize URL through sign-in and Allow; returns the code. */
async function signInAndAllow(
  app: TestApp,
  authorizationUrl: URL,
  email: string,
  clientName = "SDK Test Client",
) {
  const start = await app.request(authorizationUrl.pathname + authorizationUrl.search);
  assert.equal(start.status, 302);
  const login = new URL(start.headers.get("Location")!, TEST_ORIGIN);
  assert.equal(login.pathname, "/login");
  const signedIn = await app.request("/login", {
    method: "POST",
    headers: { Origin: TEST_ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, returnTo: login.searchParams.get("returnTo")! }),
  });
  const cookie = signedIn.headers.get("Set-Cookie")!.split(";")[0];
  const back = await continueTarget(signedIn);
  assert.equal(back, authorizationUrl.pathname + authorizationUrl.search);
  const consent = await app.request(back, { headers: { Cookie: cookie } });
  assert.equal(consent.status, 200);
  const html = await consent.text();
  assert.ok(html.includes(clientName), `consent page names ${clientName}`);
  const allowed = await app.request("/oauth/authorize", {
    method: "POST",
    headers: {
      Cookie: cookie,
      Origin: TEST_ORIGIN,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ csrf_token: csrfTokenOf(html), decision: "allow" }),
  });
  assert.equal(allowed.status, 303);
  const redirect = new URL(allowed.headers.get("Location")!);
  assert.equal(redirect.origin + redirect.pathname, REDIRECT_URL);
  assert.equal(redirect.searchParams.get("state"), "sdk-state");
  assert.equal(redirect.searchParams.get("iss"), TEST_ORIGIN);
  return redirect.searchParams.get("code")!;
}

async function connect(app: TestApp, provider: MemoryOAuthProvider) {
  const transport = new StreamableHTTPClientTransport(new URL(`${TEST_ORIGIN}/mcp`), {
    authProvider: provider,
    fetch: inProcess(app),
  });
  const client = new Client({ name: "oauth-flow-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

Deno.test("the MCP SDK client discovers, registers, authorizes, calls tools and refreshes", async () => {
  using app = await createTestApp();
  const provider = new MemoryOAuthProvider();

  // 1. No token: 401, discovery, dynamic registration, then a redirect to the consent page.
  const first = new StreamableHTTPClientTransport(new URL(`${TEST_ORIGIN}/mcp`), {
    authProvider: provider,
    fetch: inProcess(app),
  });
  await assert.rejects(
    new Client({ name: "oauth-flow-test", version: "1.0.0" }).connect(first),
    UnauthorizedError,
  );
  assert.match(provider.client?.client_id ?? "", /^mcp-client-/);
  const authorizationUrl = provider.authorizationUrl!;
  assert.equal(
    authorizationUrl.origin + authorizationUrl.pathname,
    `${TEST_ORIGIN}/oauth/authorize`,
  );
  assert.equal(authorizationUrl.searchParams.get("resource"), `${TEST_ORIGIN}/mcp`);
  assert.equal(authorizationUrl.searchParams.get("code_challenge_method"), "S256");

  // 2. The person signs in and allows; the client exchanges the code.
  const code = await signInAndAllow(app, authorizationUrl, "sdk@example.com");
  await first.finishAuth(code);
  const firstTokens = provider.savedTokens!;
  assert.ok(firstTokens.access_token && firstTokens.refresh_token);

  // 3. Tools work with the token.
  const { client } = await connect(app, provider);
  try {
    const tools = await client.listTools();
    assert.ok(tools.tools.some((tool: { name: string }) => tool.name === "createTodo"));
    await client.callTool({ name: "createTodo", arguments: { todoText: "Written over OAuth" } });

    // 4. The access token goes stale: the client refreshes (rotating the refresh token) and retries.
    provider.savedTokens = { ...firstTokens, access_token: "stale-token" };
    const listed = await client.callTool({ name: "listTodos", arguments: {} });
    assert.match(JSON.stringify(listed.structuredContent), /Written over OAuth/);
    assert.notEqual(provider.savedTokens.access_token, "stale-token");
    assert.notEqual(provider.savedTokens.refresh_token, firstTokens.refresh_token);
  } finally {
    await client.close();
  }

  // The todo is the signed-in person's, visible through the REST API.
  const cookie = await app.signIn("sdk@example.com");
  const api = await app.request("/api/todos", { headers: { Cookie: cookie } });
  assert.match(JSON.stringify(await api.json()), /Written over OAuth/);
});

Deno.test("the MCP SDK client uses a Client ID Metadata Document when the server offers it", async () => {
  const clientMetadataUrl = "https://agent.example/mcp/client.json";
  let fetches = 0;
  using app = await createTestApp({
    documentFetcher: {
      lookup: () => Promise.resolve(["93.184.216.34"]),
      fetch: (url) => {
        fetches++;
        assert.equal(url.href, clientMetadataUrl);
        return Promise.resolve(Response.json({
          client_id: clientMetadataUrl,
          client_name: "Metadata Document Agent",
          redirect_uris: [REDIRECT_URL],
          token_endpoint_auth_method: "none",
        }));
      },
    },
  });
  const provider = new MemoryOAuthProvider(clientMetadataUrl);
  const transport = new StreamableHTTPClientTransport(new URL(`${TEST_ORIGIN}/mcp`), {
    authProvider: provider,
    fetch: inProcess(app),
  });
  await assert.rejects(
    new Client({ name: "oauth-flow-test", version: "1.0.0" }).connect(transport),
    UnauthorizedError,
  );
  assert.equal(provider.client?.client_id, clientMetadataUrl, "no dynamic registration");
  const code = await signInAndAllow(
    app,
    provider.authorizationUrl!,
    "cimd@example.com",
    "Metadata Document Agent",
  );
  await transport.finishAuth(code);
  const { client } = await connect(app, provider);
  try {
    const result = await client.callTool({ name: "listTodos", arguments: {} });
    assert.equal(result.isError ?? false, false);
  } finally {
    await client.close();
  }
  assert.equal(fetches, 1);
});
