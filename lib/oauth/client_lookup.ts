/**
 * Finding the client a request names (a registered one, or a metadata document URL), and how
 * long a registered client lives.
 */
import {
  type DocumentFetcher,
  isMetadataDocumentClientId,
  loadMetadataDocumentClient,
} from "./client_id_documents.ts";
import { backstopExpireIn } from "../kv/expiry.ts";
import { getClient, type StoredClient, touchClient } from "./store/clients.ts";

/** A registered client nobody has used yet is forgotten after a day. */
export const UNUSED_CLIENT_TTL_MS = 24 * 60 * 60 * 1000;
/** A registered client is forgotten 30 days after its last use. */
const IDLE_CLIENT_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Touch a client's lifetime at most this often. */
const TOUCH_INTERVAL_MS = 60 * 60 * 1000;

const REGISTERED_CLIENT_ID = /^mcp-client-[0-9a-f-]{36}$/;

/** A fresh id for a registered client. */
export function newClientId(): string {
  return `mcp-client-${crypto.randomUUID()}`;
}

/**
 * The client `clientId` names, or `null` when there is none. Throws `MetadataDocumentError`
 * when it is a metadata document URL that cannot be used.
 */
export async function findClient(
  kv: Deno.Kv,
  clientId: string,
  supportedScopes: string[],
  fetcher?: DocumentFetcher,
): Promise<StoredClient | null> {
  if (isMetadataDocumentClientId(clientId)) {
    return await loadMetadataDocumentClient(kv, clientId, supportedScopes, fetcher);
  }
  if (!REGISTERED_CLIENT_ID.test(clientId)) return null;
  const client = await getClient(kv, clientId);
  return client && clientExpiresAt(client) > Date.now() ? client : null;
}

/**
 * When a registered client is forgotten: a day after registration while unused, 30 days after
 * its last use. Checked here; KV's expiry of a used client is only a backstop (lib/kv/expiry.ts).
 */
export function clientExpiresAt(client: StoredClient): number {
  return client.lastUsedAt > 0
    ? client.lastUsedAt + IDLE_CLIENT_TTL_MS
    : client.createdAt + UNUSED_CLIENT_TTL_MS;
}

/** Notes that a registered client was used, so it lives another 30 days. */
export async function noteClientUsed(kv: Deno.Kv, client: StoredClient, now: number) {
  if (client.source !== "registered" || now - client.lastUsedAt < TOUCH_INTERVAL_MS) return;
  await touchClient(kv, client, backstopExpireIn(now + IDLE_CLIENT_TTL_MS, now), now);
}
