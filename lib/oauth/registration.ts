/**
 * Dynamic Client Registration (RFC 7591) for public clients.
 *
 * Registration is open to anyone, so stored registrations are capped. A registered client that
 * is never used is forgotten after a day (`UNUSED_CLIENT_TTL_MS`, KV `expireIn`); expiry does
 * not decrement a counter, so the cap counts registrations per six-hour bucket instead (each
 * count expiring with its bucket) and refuses a new one when the buckets covering the last
 * day hold `MAX_REGISTRATIONS_PER_DAY` (lib/tuning.ts). Every unused client still stored was registered in
 * those buckets, so they never hold more than the cap; the last bucket's part outside the day
 * is counted too, so the cap is conservative by at most six hours' registrations. Clients that
 * were used live longer (30 days idle) but took a signed-in person's consent to get there.
 * Per-address limits (lib/http/rate_limit.ts) keep one client from using up the cap alone.
 */
import { newClientId, UNUSED_CLIENT_TTL_MS } from "./client_lookup.ts";
import { parseClientMetadata } from "./client_metadata_rules.ts";
import { OAuthError } from "./errors.ts";
import {
  insertRegisteredClient,
  type RegistrationCap,
  type StoredClient,
} from "./store/clients.ts";

/** Registrations are counted per bucket of this length, for the cap. */
export const REGISTRATION_BUCKET_MS = 6 * 60 * 60 * 1000;

/** The RFC 7591 §3.2.1 registration response. */
export interface RegistrationResponse {
  client_id: string;
  client_id_issued_at: number;
  client_name?: string;
  client_uri?: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: ["code"];
  token_endpoint_auth_method: "none";
  scope?: string;
}

/**
 * Validates `body` as client metadata, stores the client, and returns the response body.
 * At `maxPerDay` registrations in the last day it stores nothing and throws a 503
 * `temporarily_unavailable` with `Retry-After`.
 */
export async function registerClient(
  kv: Deno.Kv,
  body: unknown,
  supportedScopes: string[],
  maxPerDay: number,
  now = Date.now(),
): Promise<RegistrationResponse> {
  const metadata = parseClientMetadata(body, supportedScopes, "registration");
  const client: StoredClient = {
    clientId: newClientId(),
    source: "registered",
    clientName: metadata.clientName ?? "",
    redirectUris: metadata.redirectUris,
    scopes: metadata.scopes,
    clientUri: metadata.clientUri,
    createdAt: now,
    // Zero, so the first real use extends the short "unused" lifetime.
    lastUsedAt: 0,
  };
  const cap = registrationCap(maxPerDay, now);
  if (!await insertRegisteredClient(kv, client, UNUSED_CLIENT_TTL_MS, cap)) {
    const retryAfter = Math.ceil(
      ((cap.buckets[cap.buckets.length - 1] + 1) *
          REGISTRATION_BUCKET_MS - now) / 1000,
    );
    throw new OAuthError(
      "temporarily_unavailable",
      "This server has registered as many new clients as it accepts in a day, so nothing " +
        "was registered. Try again later, or reuse a client_id registered before.",
      503,
      { "Retry-After": String(Math.max(1, retryAfter)) },
    );
  }
  return {
    client_id: client.clientId,
    client_id_issued_at: Math.floor(now / 1000),
    ...(client.clientName ? { client_name: client.clientName } : {}),
    ...(client.clientUri ? { client_uri: client.clientUri } : {}),
    redirect_uris: client.redirectUris,
    grant_types: metadata.grantTypes,
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    ...(client.scopes ? { scope: client.scopes.join(" ") } : {}),
  };
}

/**
 * The buckets an unused registration made before `now` can still be stored from (its bucket
 * and those of the day before), and how long the current bucket's count must be kept.
 */
function registrationCap(max: number, now: number): RegistrationCap {
  const current = Math.floor(now / REGISTRATION_BUCKET_MS);
  const span = Math.ceil(UNUSED_CLIENT_TTL_MS / REGISTRATION_BUCKET_MS);
  const buckets = Array.from({ length: span + 1 }, (_, index) => current - span + index);
  return { buckets, max, bucketTtlMs: (current + span + 1) * REGISTRATION_BUCKET_MS - now };
}
