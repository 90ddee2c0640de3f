/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, MCP
 * 2025-11-25): a `client_id` that is an https URL names a JSON document describing the
 * client. Fetching a URL a stranger chose is an SSRF risk, so the fetch is guarded: https
 * only, every resolved address public and the connection made to a checked one, no
 * redirects, a size cap and a timeout. Documents are
 * cached in KV.
 */
import { parseClientMetadata } from "./client_metadata_rules.ts";
import { fetchPinned } from "./pinned_fetch.ts";
import { isIpLiteral, isPublicAddress } from "../http/ip_address.ts";
import {
  cacheMetadataDocument,
  getCachedMetadataDocument,
  type StoredClient,
} from "./store/clients.ts";
import type { DocumentFetcher } from "../http/context.ts";

export type { DocumentFetcher };

const MAX_DOCUMENT_BYTES = 5 * 1024;
const MAX_DOCUMENT_URL_LENGTH = 1000;
export const FETCH_TIMEOUT_MS = 5_000;
const MIN_CACHE_MS = 5 * 60 * 1000;
const MAX_CACHE_MS = 24 * 60 * 60 * 1000;
const DEFAULT_CACHE_MS = 60 * 60 * 1000;

/**
 * `fetcher` (the real one when undefined) running `beforeFetch` first. A first fetch stores a
 * client in KV for up to a day, just like a registration, so it is limited like one.
 */
export function withBeforeFetch(
  fetcher: DocumentFetcher | undefined,
  beforeFetch: () => Promise<void>,
): DocumentFetcher {
  return { ...(fetcher ?? defaultDocumentFetcher), beforeFetch };
}

/** Time limit of the DNS lookup before a fetch. */
const LOOKUP_TIMEOUT_MS = 3_000;

/**
 * Real DNS (A and AAAA, through the system's resolver or `nameServer`) and real `fetch`.
 * Production uses it as {@linkcode defaultDocumentFetcher}; tests point `nameServer` at a
 * loopback DNS server to run this same code without the outside world.
 */
export function createDocumentFetcher(
  options: { nameServer?: { ipAddr: string; port?: number }; caCerts?: string[] } = {},
): DocumentFetcher {
  return {
    async lookup(hostname) {
      const signal = AbortSignal.timeout(LOOKUP_TIMEOUT_MS);
      const query = { signal, ...(options.nameServer ? { nameServer: options.nameServer } : {}) };
      const results = await Promise.allSettled([
        Deno.resolveDns(hostname, "A", query),
        Deno.resolveDns(hostname, "AAAA", query),
      ]);
      return results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
    },
    fetch: (url, init, address) =>
      address
        ? fetchPinned(url, address, {
          headers: init.headers,
          signal: init.signal ?? undefined,
          caCerts: options.caCerts,
        })
        : fetch(url, init),
  };
}

/** Real DNS and `fetch`: what the app uses unless `Deps.documentFetcher` replaces it. */
const defaultDocumentFetcher: DocumentFetcher = createDocumentFetcher();

/** Why a client metadata document cannot be used; shown to the person or the client. */
export class MetadataDocumentError extends Error {
  /**
   * @param transient true when trying again later may work (the fetch failed or timed out, or
   *   the host answered 5xx or 429), so a client should not be told its id is invalid
   */
  constructor(message: string, readonly transient = false) {
    super(message);
    this.name = "MetadataDocumentError";
  }
}

/** True when `clientId` is meant as a metadata document URL (rather than a registered id). */
export function isMetadataDocumentClientId(clientId: string): boolean {
  return /^https:\/\//i.test(clientId);
}

/** Checks the URL's shape per the CIMD draft; returns it parsed or throws. */
export function parseDocumentUrl(clientId: string): URL {
  if (clientId.length > MAX_DOCUMENT_URL_LENGTH) {
    throw new MetadataDocumentError(
      `client_id URL is longer than ${MAX_DOCUMENT_URL_LENGTH} characters.`,
    );
  }
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    throw new MetadataDocumentError("client_id is not a valid URL.");
  }
  if (url.protocol !== "https:") throw new MetadataDocumentError("client_id URL must use https.");
  if (url.pathname === "/" || url.pathname === "") {
    throw new MetadataDocumentError("client_id URL must have a path.");
  }
  if (clientId.includes("#") || url.username || url.password) {
    throw new MetadataDocumentError("client_id URL must not have a fragment or credentials.");
  }
  if (/\/\.{1,2}(\/|$)/.test(clientId.slice(url.origin.length))) {
    throw new MetadataDocumentError("client_id URL must not contain . or .. path segments.");
  }
  return url;
}

/**
 * The address to connect to for `url`: the first of those its host resolves to, once every one
 * of them is public (no private or loopback targets); throws otherwise.
 */
async function checkedAddress(url: URL, fetcher: DocumentFetcher): Promise<string> {
  const host = url.hostname;
  const addresses = isIpLiteral(host) ? [host] : await fetcher.lookup(host).catch(() => []);
  if (addresses.length === 0) {
    throw new MetadataDocumentError(`Could not resolve ${host}.`);
  }
  if (!addresses.every(isPublicAddress)) {
    throw new MetadataDocumentError(`${host} is not a public address; refusing to fetch it.`);
  }
  return addresses[0];
}

/**
 * The client a metadata document URL describes: from the KV cache, else fetched (guarded),
 * validated (its `client_id` must be the URL itself) and cached.
 */
export async function loadMetadataDocumentClient(
  kv: Deno.Kv,
  clientId: string,
  supportedScopes: string[],
  fetcher: DocumentFetcher = defaultDocumentFetcher,
  now = Date.now(),
): Promise<StoredClient> {
  const url = parseDocumentUrl(clientId);
  const cached = await getCachedMetadataDocument(kv, clientId);
  if (cached) return cached;
  await fetcher.beforeFetch?.();

  // The fetch connects to the address that was checked (lib/oauth/pinned_fetch.ts), so a DNS
  // answer that changes in between (rebinding) cannot point it elsewhere.
  const address = await checkedAddress(url, fetcher);
  let response: Response;
  try {
    response = await fetcher.fetch(url, {
      redirect: "manual",
      signal: AbortSignal.timeout(fetcher.timeoutMs ?? FETCH_TIMEOUT_MS),
      headers: { Accept: "application/json" },
    }, address);
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    throw new MetadataDocumentError(
      timedOut
        ? "Fetching the client metadata document timed out."
        : "Could not fetch the client metadata document.",
      true,
    );
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new MetadataDocumentError(
      `The client metadata document answered ${response.status}, not 200 (redirects are not followed).`,
      response.status >= 500 || response.status === 429,
    );
  }
  const text = await readCapped(response, MAX_DOCUMENT_BYTES);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new MetadataDocumentError("The client metadata document is not valid JSON.");
  }
  if ((document as { client_id?: unknown })?.client_id !== clientId) {
    throw new MetadataDocumentError("The client metadata document's client_id is not its own URL.");
  }
  let metadata;
  try {
    metadata = parseClientMetadata(document, supportedScopes, "metadata_document");
  } catch (error) {
    throw new MetadataDocumentError(
      `The client metadata document is not acceptable: ${(error as Error).message}`,
    );
  }
  const client: StoredClient = {
    clientId,
    source: "metadata_document",
    clientName: metadata.clientName ?? url.hostname,
    redirectUris: metadata.redirectUris,
    scopes: metadata.scopes,
    clientUri: metadata.clientUri,
    createdAt: now,
    lastUsedAt: now,
  };
  await cacheMetadataDocument(kv, client, cacheLifetime(response.headers.get("Cache-Control")));
  return client;
}

/** How long to cache a document: its `max-age`, held between five minutes and a day. */
export function cacheLifetime(cacheControl: string | null): number {
  const match = cacheControl?.match(/(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i);
  const ms = match ? Number(match[1]) * 1000 : DEFAULT_CACHE_MS;
  return Math.min(MAX_CACHE_MS, Math.max(MIN_CACHE_MS, ms));
}

/** Reads at most `limit` bytes of the body as UTF-8, or throws when it is longer. */
async function readCapped(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get("Content-Length") ?? "0");
  if (declared > limit || !response.body) {
    await response.body?.cancel();
    if (declared > limit) {
      throw new MetadataDocumentError(
        `The client metadata document is larger than ${limit} bytes.`,
      );
    }
    return "";
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw new MetadataDocumentError(
          `The client metadata document is larger than ${limit} bytes.`,
        );
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof MetadataDocumentError) throw error;
    throw new MetadataDocumentError(
      "Reading the client metadata document failed or timed out.",
      true,
    );
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
