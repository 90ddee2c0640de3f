/**
 * The metadata document fetch connects to the address that was checked, over real TLS on
 * loopback: a DNS answer that changed since (rebinding) cannot move it, and the certificate
 * must still be valid for the name.
 */
import assert from "node:assert/strict";
import { startTestDns } from "../testing/dns.ts";
import { makeTestCertificates } from "../testing/tls.ts";
import { createDocumentFetcher } from "./client_id_documents.ts";

const certs = await makeTestCertificates(["docs.test"]);

/** An https server on loopback for docs.test; counts what it serves. */
function startDocsServer() {
  let served = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: certs.cert, key: certs.key, onListen() {} },
    (req) => {
      served++;
      return Response.json({ host: req.headers.get("Host"), path: new URL(req.url).pathname });
    },
  );
  return {
    port: server.addr.port,
    get served() {
      return served;
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("the fetch goes to the checked address, not to what DNS answers now, with TLS for the name", async () => {
  await using server = startDocsServer();
  // DNS now says docs.test is elsewhere (a rebinding answer); the check saw 127.0.0.1.
  await using dns = await startTestDns({ "docs.test": [[10, 0, 0, 7]] });
  const fetcher = createDocumentFetcher({ nameServer: dns.nameServer, caCerts: [certs.ca] });
  const url = new URL(`https://docs.test:${server.port}/client.json`);
  const response = await fetcher.fetch(url, {
    headers: { Accept: "application/json" },
    signal: AbortSignal.timeout(5_000),
  }, "127.0.0.1");
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    host: `docs.test:${server.port}`,
    path: "/client.json",
  });
  assert.deepEqual(dns.asked, [], "no second lookup");
  assert.equal(server.served, 1);
});

Deno.test("a certificate that is not for the name is refused even at the checked address", async () => {
  await using server = startDocsServer();
  const fetcher = createDocumentFetcher({ caCerts: [certs.ca] });
  const url = new URL(`https://other.test:${server.port}/client.json`);
  await assert.rejects(() =>
    fetcher.fetch(url, { signal: AbortSignal.timeout(5_000) }, "127.0.0.1")
  );
  const untrusted = createDocumentFetcher();
  await assert.rejects(() =>
    untrusted.fetch(new URL(`https://docs.test:${server.port}/x`), {}, "127.0.0.1")
  );
  assert.equal(server.served, 0);
});

Deno.test("a pinned fetch that times out rejects with the timeout", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    for await (const conn of listener) held.push(conn); // accepts, never answers
  })().catch(() => {});
  try {
    const fetcher = createDocumentFetcher({ caCerts: [certs.ca] });
    const url = new URL(`https://docs.test:${listener.addr.port}/client.json`);
    const error = await fetcher.fetch(url, { signal: AbortSignal.timeout(200) }, "127.0.0.1")
      .then(() => null, (e) => e);
    assert.ok(error instanceof DOMException && error.name === "TimeoutError", String(error));
  } finally {
    listener.close();
    for (const conn of held) conn.close();
  }
});
