/** Dynamic Client Registration (RFC 7591) for public clients. */
import { newClientId, UNUSED_CLIENT_TTL_MS } from "./clients.ts";
import { parseClientMetadata } from "./client_metadata.ts";
import { saveClient, type StoredClient } from "./store.ts";

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

/** Validates `body` as client metadata, stores the client, and returns the response body. */
export async function registerClient(
  kv: Deno.Kv,
  body: unknown,
  supportedScopes: string[],
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
  await saveClient(kv, client, UNUSED_CLIENT_TTL_MS);
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
