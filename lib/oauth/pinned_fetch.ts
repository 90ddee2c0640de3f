/**
 * A GET that connects to an address checked beforehand, not to whatever the name resolves to at
 * connection time: the TCP connection goes to `address`, while TLS still verifies the certificate
 * for the URL's host name and sends it as SNI and `Host`. This closes the DNS rebinding window
 * between the SSRF check of a client metadata document's host (lib/oauth/client_id_documents.ts)
 * and the fetch. Deno's `fetch` has no such option (its `tcp` proxy transport speaks plain HTTP),
 * so this uses `node:https` with a fixed `lookup`, imported on first use.
 */
import type { IncomingMessage } from "node:http";

/** Options of {@linkcode fetchPinned}: what `fetch` takes here, plus extra trusted roots. */
export interface PinnedInit {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Root certificates (PEM) to trust besides the system's: for tests with their own CA. */
  caCerts?: string[];
}

/** Statuses whose response has no body (a `Response` refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * GETs `url` over a connection to `address` (an IP the caller checked), verifying TLS for
 * `url`'s host. Redirects are not followed. Rejects with the signal's reason when it aborts.
 */
export async function fetchPinned(url: URL, address: string, init: PinnedInit = {}) {
  const [https, { Readable }] = await Promise.all([import("node:https"), import("node:stream")]);
  const family = address.includes(":") ? 6 : 4;
  const ip = address.replace(/^\[|\]$/g, "");
  return await new Promise<Response>((resolve, reject) => {
    const { signal } = init;
    const onAbort = () => reject(signal?.reason);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const request = https.request(url, {
      method: "GET",
      headers: init.headers,
      signal,
      agent: false,
      ...(init.caCerts ? { ca: init.caCerts } : {}),
      lookup: (_hostname, options, callback) =>
        options?.all ? callback(null, [{ address: ip, family }]) : callback(null, ip, family),
    }, (message: IncomingMessage) => {
      signal?.removeEventListener("abort", onAbort);
      const status = message.statusCode ?? 502;
      const body = NULL_BODY_STATUSES.has(status)
        ? null
        : Readable.toWeb(message) as ReadableStream<Uint8Array>;
      if (!body) message.resume();
      resolve(new Response(body, { status, headers: headersOf(message) }));
    });
    request.on("error", (error) => reject(signal?.aborted ? signal.reason : error));
    request.end();
  });
}

function headersOf(message: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    for (const item of [value ?? []].flat()) headers.append(name, item);
  }
  return headers;
}
