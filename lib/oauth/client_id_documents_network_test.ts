/**
 * The SSRF guard on the production code path: the real DNS lookup (`Deno.resolveDns`, pointed
 * at a loopback DNS server) and the app as built without an injected fetcher. A loopback TCP
 * listener stands where a refused fetch would land, and counts every connection it gets.
 */
import assert from "node:assert/strict";
import { createTestApp } from "../testing/app.ts";
import { startTestDns } from "../testing/dns.ts";
import {
  createDocumentFetcher,
  loadMetadataDocumentClient,
  MetadataDocumentError,
} from "./client_id_documents.ts";
import { pkcePair, REDIRECT_URI } from "../testing/oauth.ts";

const SCOPES = ["read:todos", "write:todos"];
const V6_LOOPBACK = [...new Array(15).fill(0), 1];
const V4_MAPPED_LOOPBACK = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1];
const UNIQUE_LOCAL = [0xfd, 0, ...new Array(13).fill(0), 1];

/** A loopback TCP port that counts the connections it accepts (and closes them). */
function startTrap() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  (async () => {
    for await (const conn of listener) {
      connections++;
      conn.close();
    }
  })().catch(() => {});
  return {
    port: listener.addr.port,
    get connections() {
      return connections;
    },
    [Symbol.dispose]: () => listener.close(),
  };
}

Deno.test("the real DNS lookup refuses names that resolve to loopback, private or mapped addresses", async () => {
  using app = await createTestApp();
  using trap = startTrap();
  await using dns = await startTestDns({
    "loopback.test": [[127, 0, 0, 1]],
    "v6-loopback.test": [V6_LOOPBACK],
    "mapped.test": [V4_MAPPED_LOOPBACK],
    "private.test": [[10, 0, 0, 7]],
    "metadata.test": [[169, 254, 169, 254]],
    "mixed.test": [[93, 184, 216, 34], UNIQUE_LOCAL],
  });
  const fetcher = createDocumentFetcher({ nameServer: dns.nameServer });
  for (
    const [host, expected] of [
      ["loopback.test", /not a public address/],
      ["v6-loopback.test", /not a public address/],
      ["mapped.test", /not a public address/],
      ["private.test", /not a public address/],
      ["metadata.test", /not a public address/],
      ["mixed.test", /not a public address/],
      ["unknown.test", /Could not resolve/],
    ] as const
  ) {
    const clientId = `https://${host}:${trap.port}/client.json`;
    const error = await loadMetadataDocumentClient(app.kv, clientId, SCOPES, fetcher)
      .then(() => null, (e) => e);
    assert.ok(error instanceof MetadataDocumentError, `${host}: ${error}`);
    assert.match(error.message, expected, host);
    assert.ok(dns.asked.includes(host), `${host} was looked up through DNS`);
  }
  assert.equal(trap.connections, 0, "no fetch was attempted");
});

Deno.test("the app as built (no injected fetcher) refuses IP-literal loopback client_ids and never connects", async () => {
  using app = await createTestApp();
  assert.equal(app.deps.documentFetcher, undefined, "the production fetcher is in use");
  using trap = startTrap();
  const cookie = await app.signIn("ada@example.com");
  const { challenge, verifier } = await pkcePair();
  for (
    const host of [
      "127.0.0.1",
      "[::1]",
      "[::ffff:127.0.0.1]",
      "[::ffff:7f00:1]",
      "2130706433",
      "0x7f.1",
      "127.1",
    ]
  ) {
    const clientId = `https://${host}:${trap.port}/client.json`;
    const query = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const page = await app.request(`/oauth/authorize?${query}`, { headers: { Cookie: cookie } });
    assert.equal(page.status, 400, host);
    assert.match(await page.text(), /not a public address/, host);
    const token = await app.request("/oauth/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: clientId,
        code: "a".repeat(43),
        code_verifier: verifier,
        redirect_uri: REDIRECT_URI,
      }),
    });
    assert.equal(token.status, 401, host);
    assert.equal((await token.json()).error, "invalid_client", host);
  }
  assert.equal(trap.connections, 0, "no fetch was attempted");
});
