import assert from "node:assert/strict";
import { createTestApp } from "../testing/app.ts";
import {
  cacheLifetime,
  type DocumentFetcher,
  loadMetadataDocumentClient,
  MetadataDocumentError,
  parseDocumentUrl,
} from "./client_id_documents.ts";
import { findClient } from "./client_lookup.ts";
import {
  authorizePath,
  csrfTokenOf,
  exchangeCode,
  pkcePair,
  postConsent,
  REDIRECT_URI,
  RESOURCE,
} from "../testing/oauth.ts";

const SCOPES = ["read:todos", "write:todos"];
const CLIENT_ID = "https://client.example/oauth/metadata.json";

function document(overrides: Record<string, unknown> = {}) {
  return {
    client_id: CLIENT_ID,
    client_name: "Example Agent",
    redirect_uris: ["http://127.0.0.1:8080/callback"],
    token_endpoint_auth_method: "none",
    ...overrides,
  };
}

/**
 * A real loopback HTTP server standing in for the client's https host: the fetcher sends
 * `https://client.example/...` there and resolves names from `dns`.
 */
function startDocumentHost(
  respond: (path: string) => Response | Promise<Response>,
  dns: Record<string, string[]> = { "client.example": ["93.184.216.34"] },
) {
  let fetches = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    fetches++;
    return respond(new URL(req.url).pathname);
  });
  const fetcher: DocumentFetcher = {
    lookup: (hostname) => Promise.resolve(dns[hostname] ?? []),
    fetch: (url, init) =>
      fetch(`http://127.0.0.1:${server.addr.port}${url.pathname}${url.search}`, init),
    timeoutMs: 300,
  };
  return {
    fetcher,
    get fetches() {
      return fetches;
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof MetadataDocumentError, `expected a refusal, got ${error}`);
  return error.message;
}

Deno.test("a metadata document is fetched, validated and cached", async () => {
  using app = await createTestApp();
  await using host = startDocumentHost(() =>
    Response.json(document(), { headers: { "Cache-Control": "max-age=600" } })
  );
  const client = await loadMetadataDocumentClient(app.kv, CLIENT_ID, SCOPES, host.fetcher);
  assert.equal(client.clientName, "Example Agent");
  assert.deepEqual(client.redirectUris, ["http://127.0.0.1:8080/callback"]);
  assert.equal(client.source, "metadata_document");
  const again = await findClient(app.kv, CLIENT_ID, SCOPES, host.fetcher);
  assert.equal(again?.clientId, CLIENT_ID);
  assert.equal(host.fetches, 1, "the second lookup came from the cache");
});

Deno.test("cache lifetime follows max-age within five minutes and a day", () => {
  assert.equal(cacheLifetime("public, max-age=600"), 600_000);
  assert.equal(cacheLifetime("max-age=1"), 5 * 60_000);
  assert.equal(cacheLifetime("max-age=999999999"), 24 * 3600_000);
  assert.equal(cacheLifetime(null), 3600_000);
});

Deno.test("client_id URLs must be https with a path and no fragment or dot segments", () => {
  for (
    const bad of [
      "http://client.example/meta.json",
      "https://client.example/",
      "https://client.example",
      "https://client.example/meta.json#x",
      "https://client.example/a/../meta.json",
      "https://user:pw@client.example/meta.json",
      `https://client.example/${"a".repeat(1000)}`,
    ]
  ) {
    assert.throws(() => parseDocumentUrl(bad), MetadataDocumentError, bad);
  }
  assert.equal(parseDocumentUrl(CLIENT_ID).hostname, "client.example");
});

Deno.test("no fetch goes to a private, loopback or link-local address", async () => {
  using app = await createTestApp();
  await using host = startDocumentHost(() => Response.json(document()), {
    "internal.example": ["10.0.0.7"],
    "mixed.example": ["93.184.216.34", "127.0.0.1"],
    "metadata.example": ["169.254.169.254"],
    "v6.example": ["fd00::1"],
  });
  for (
    const clientId of [
      "https://internal.example/meta.json",
      "https://mixed.example/meta.json",
      "https://metadata.example/meta.json",
      "https://v6.example/meta.json",
      "https://127.0.0.1/meta.json",
      "https://[::1]/meta.json",
      "https://unknown.example/meta.json",
    ]
  ) {
    const message = await refusal(
      loadMetadataDocumentClient(app.kv, clientId, SCOPES, host.fetcher),
    );
    assert.match(message, /not a public address|Could not resolve/, clientId);
  }
  assert.equal(host.fetches, 0);
});

Deno.test("redirects, errors, oversized and slow documents are refused", async () => {
  using app = await createTestApp();
  const big = JSON.stringify(document({ client_name: "x".repeat(6000) }));
  await using host = startDocumentHost(async (path) => {
    switch (path) {
      case "/redirect.json":
        return Response.redirect("https://elsewhere.example/meta.json", 302);
      case "/missing.json":
        return new Response("no", { status: 404 });
      case "/big.json":
        return new Response(big, { headers: { "Content-Type": "application/json" } });
      case "/streamed.json":
        return new Response(
          new ReadableStream({
            start(controller) {
              for (let i = 0; i < 10; i++) {
                controller.enqueue(new TextEncoder().encode(" ".repeat(1024)));
              }
              controller.close();
            },
          }),
        );
      default:
        await new Promise((resolve) => setTimeout(resolve, 500));
        return Response.json(document());
    }
  });
  const cases: [string, RegExp][] = [
    ["/redirect.json", /302/],
    ["/missing.json", /404/],
    ["/big.json", /larger than 5120 bytes/],
    ["/streamed.json", /larger than 5120 bytes/],
    ["/slow.json", /timed out/],
  ];
  for (const [path, expected] of cases) {
    const message = await refusal(
      loadMetadataDocumentClient(app.kv, `https://client.example${path}`, SCOPES, host.fetcher),
    );
    assert.match(message, expected, path);
  }
  let cached = 0;
  for await (const _ of app.kv.list({ prefix: ["oauth_cimd"] })) cached++;
  assert.equal(cached, 0, "nothing refused was cached");
});

Deno.test("a document must name itself and a public client with valid redirect URIs", async () => {
  using app = await createTestApp();
  const bodies: Record<string, unknown> = {
    "/other-id.json": document({ client_id: "https://client.example/else.json" }),
    "/secret.json": document({ token_endpoint_auth_method: "client_secret_basic" }),
    "/with-secret.json": document({ client_secret: "s3cret" }),
    "/bad-redirect.json": document({ redirect_uris: ["http://client.example/cb"] }),
    "/not-json.json": "<html>",
  };
  await using host = startDocumentHost((path) => {
    const body = bodies[path];
    if (typeof body === "string") return new Response(body);
    const self = `https://client.example${path}`;
    const doc = body as Record<string, unknown>;
    return Response.json(path === "/other-id.json" ? doc : { ...doc, client_id: self });
  });
  const cases: [string, RegExp][] = [
    ["/other-id.json", /not its own URL/],
    ["/secret.json", /public clients only/],
    ["/with-secret.json", /client_secret/],
    ["/bad-redirect.json", /loopback/],
    ["/not-json.json", /not valid JSON/],
  ];
  for (const [path, expected] of cases) {
    const message = await refusal(
      loadMetadataDocumentClient(app.kv, `https://client.example${path}`, SCOPES, host.fetcher),
    );
    assert.match(message, expected, path);
  }
});

Deno.test("authorize shows an error page for a metadata document it may not fetch", async () => {
  using app = await createTestApp();
  const { challenge } = await pkcePair();
  const response = await app.request(authorizePath("https://127.0.0.1/client.json", challenge));
  assert.equal(response.status, 400);
  assert.equal(response.headers.get("Location"), null);
  assert.match(await response.text(), /not a public address/);
});

Deno.test("a metadata-document client authorizes, shows its host and gets working tokens", async () => {
  await using host = startDocumentHost(() =>
    Response.json(document({ redirect_uris: [REDIRECT_URI] }))
  );
  using app = await createTestApp({ documentFetcher: host.fetcher });
  const { verifier, challenge } = await pkcePair();
  const cookie = await app.signIn("ada@example.com");
  const page = await app.request(authorizePath(CLIENT_ID, challenge), {
    headers: { Cookie: cookie },
  });
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Example Agent/);
  assert.match(html, /Published by client\.example/);
  const allowed = await postConsent(app, cookie, csrfTokenOf(html), "allow");
  const code = new URL(allowed.headers.get("Location")!).searchParams.get("code")!;
  const tokens = await exchangeCode(app, CLIENT_ID, code, verifier);
  const grant = await app.deps.identity.verifyAccessToken(tokens.access_token, RESOURCE);
  assert.equal(grant.clientId, CLIENT_ID);
  assert.equal(host.fetches, 1, "authorize and token requests shared one cached fetch");
});

Deno.test("the token endpoint tells a passing outage of the document host from a bad document", async () => {
  let status = 503;
  await using host = startDocumentHost(() =>
    status === 200 ? Response.json(document()) : new Response("down", { status })
  );
  using app = await createTestApp({ documentFetcher: host.fetcher });
  const redeem = () =>
    app.request("/oauth/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        client_id: CLIENT_ID,
        refresh_token: "r".repeat(43),
      }),
    });
  const outage = await redeem();
  assert.equal(outage.status, 503);
  assert.equal((await outage.json()).error, "temporarily_unavailable");
  status = 404;
  const gone = await redeem();
  assert.equal(gone.status, 401);
  assert.equal((await gone.json()).error, "invalid_client");
  status = 200;
  const back = await redeem();
  assert.equal(back.status, 400);
  assert.equal((await back.json()).error, "invalid_grant", "the client is known again");
});

Deno.test("first fetches of metadata documents count as registrations; cached ones do not", async () => {
  await using host = startDocumentHost((path) =>
    Response.json(document({
      client_id: `https://client.example${path}`,
      redirect_uris: [REDIRECT_URI],
    }))
  );
  using app = await createTestApp({
    tuning: { rateLimits: { registrationsPerMinute: 3 } },
    documentFetcher: host.fetcher,
  });
  // Keep every request of this test in one minute's window.
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
  const { challenge } = await pkcePair();
  const cookie = await app.signIn("ada@example.com");
  const authorize = async (n: number) => {
    const clientId = `https://client.example/agent-${n}.json`;
    const response = await app.request(authorizePath(clientId, challenge), {
      headers: { Cookie: cookie, Accept: "text/html" },
    });
    await response.body?.cancel();
    return response.status;
  };
  for (const n of [1, 2, 3]) assert.equal(await authorize(n), 200, `document ${n}`);
  assert.equal(await authorize(1), 200, "a cached document is not counted again");
  assert.equal(host.fetches, 3);
  assert.equal(await authorize(4), 429, "a fourth new document in the minute");
  assert.equal(host.fetches, 3, "refused before any lookup or fetch");
  const token = await app.request("/oauth/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      client_id: "https://client.example/agent-5.json",
      refresh_token: "r".repeat(43),
    }),
  });
  assert.equal(token.status, 429);
  assert.equal((await token.json()).error, "temporarily_unavailable");
  assert.equal(host.fetches, 3);
  const cached = await Array.fromAsync(app.kv.list({ prefix: ["oauth_cimd"] }));
  assert.equal(cached.length, 3, "nothing stored for the refused documents");
});

Deno.test("the document is fetched from the address the SSRF check approved", async () => {
  using app = await createTestApp();
  const addresses: (string | undefined)[] = [];
  const url = "https://pinned.example/client.json";
  const fetcher: DocumentFetcher = {
    lookup: (hostname) =>
      Promise.resolve(hostname === "pinned.example" ? ["93.184.216.34", "2606:2800:220:1::1"] : []),
    fetch: (_url, _init, address) => {
      addresses.push(address);
      return Promise.resolve(Response.json({
        client_id: url,
        client_name: "Pinned",
        redirect_uris: ["https://pinned.example/cb"],
      }));
    },
  };
  const client = await loadMetadataDocumentClient(app.kv, url, SCOPES, fetcher);
  assert.equal(client.clientName, "Pinned");
  assert.deepEqual(addresses, ["93.184.216.34"]);
});
