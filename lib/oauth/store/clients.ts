/**
 * Deno KV storage of OAuth clients: registered ones (RFC 7591, forgotten when unused), the
 * registration counts that cap them, and cached client metadata documents (CIMD).
 *
 * ```
 * ["oauth_clients", clientId]        -> StoredClient (expires when unused)
 * ["oauth_registrations", bucket]    -> Deno.KvU64 (registrations per bucket, for the cap)
 * ["oauth_cimd", clientIdUrl]        -> StoredClient (cached metadata document)
 * ```
 */
import { RETRY, retryOnConflict } from "../../kv/retry.ts";

/** A client, registered (RFC 7591) or described by its metadata document (CIMD). */
export interface StoredClient {
  clientId: string;
  source: "registered" | "metadata_document";
  clientName: string;
  redirectUris: string[];
  /** Scopes the client registered for, or `null` for any supported scope. */
  scopes: string[] | null;
  clientUri: string | null;
  createdAt: number;
  lastUsedAt: number;
}

/** Typed key builders for client records. */
export const clientKeys = {
  client: (clientId: string): Deno.KvKey => ["oauth_clients", clientId],
  registrations: (bucket: number): Deno.KvKey => ["oauth_registrations", bucket],
  metadataDocument: (url: string): Deno.KvKey => ["oauth_cimd", url],
};

/** The cap on stored registrations (see lib/oauth/registration.ts for the buckets). */
export interface RegistrationCap {
  /** Time buckets whose registrations may still be stored, oldest first, the current last. */
  buckets: number[];
  /** Most registrations those buckets may hold together. */
  max: number;
  /** How long the current bucket's count must be kept. */
  bucketTtlMs: number;
}

/**
 * Saves a newly registered client (forgotten after `ttlMs` unless used) and counts it in the
 * current bucket, in one atomic operation checked against every count read, unless the buckets
 * already hold `cap.max` registrations. Returns `false`, storing nothing, at the cap.
 */
export function insertRegisteredClient(
  kv: Deno.Kv,
  client: StoredClient,
  ttlMs: number,
  cap: RegistrationCap,
): Promise<boolean> {
  const countKeys = cap.buckets.map(clientKeys.registrations);
  const number = (entry: Deno.KvEntryMaybe<Deno.KvU64>) => Number(entry.value?.value ?? 0n);
  return retryOnConflict("the registration count", async () => {
    const counts = await kv.getMany<Deno.KvU64[]>(countKeys);
    if (counts.reduce((total, entry) => total + number(entry), 0) >= cap.max) return false;
    const current = counts[counts.length - 1];
    const operation = kv.atomic();
    for (const entry of counts) operation.check(entry);
    const result = await operation
      .check({ key: clientKeys.client(client.clientId), versionstamp: null })
      .set(current.key, new Deno.KvU64(BigInt(number(current) + 1)), { expireIn: cap.bucketTtlMs })
      .set(clientKeys.client(client.clientId), client, { expireIn: ttlMs })
      .commit();
    return result.ok ? true : RETRY;
  });
}

/** A registered client by id, or `null`. */
export async function getClient(kv: Deno.Kv, clientId: string): Promise<StoredClient | null> {
  return (await kv.get<StoredClient>(clientKeys.client(clientId))).value;
}

/**
 * Records a use of a registered client at `now` and extends its life to `ttlMs` from then.
 * Does nothing for a client that is gone or was already used at `now` or later.
 */
export function touchClient(
  kv: Deno.Kv,
  client: StoredClient,
  ttlMs: number,
  now: number,
): Promise<void> {
  return retryOnConflict("a client", async () => {
    const entry = await kv.get<StoredClient>(clientKeys.client(client.clientId));
    if (!entry.value || entry.value.lastUsedAt >= now) return;
    const result = await kv.atomic().check(entry)
      .set(entry.key, { ...entry.value, lastUsedAt: now }, { expireIn: ttlMs })
      .commit();
    return result.ok ? undefined : RETRY;
  });
}

/** A cached client metadata document, or `null`. */
export async function getCachedMetadataDocument(
  kv: Deno.Kv,
  url: string,
): Promise<StoredClient | null> {
  return (await kv.get<StoredClient>(clientKeys.metadataDocument(url))).value;
}

/** Caches a fetched client metadata document for `ttlMs`. */
export async function cacheMetadataDocument(
  kv: Deno.Kv,
  client: StoredClient,
  ttlMs: number,
): Promise<void> {
  await kv.set(clientKeys.metadataDocument(client.clientId), client, { expireIn: ttlMs });
}
