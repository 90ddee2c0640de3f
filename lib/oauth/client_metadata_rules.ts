/**
 * Validates client metadata (RFC 7591 §2), whether posted for registration or published as a
 * Client ID Metadata Document. Only public clients using the authorization code flow fit.
 */
import { OAuthError } from "./errors.ts";
import { redirectUriProblem } from "./redirect_uris.ts";
import { parseScope } from "./scopes.ts";

const MAX_REDIRECT_URIS = 10;
const MAX_CLIENT_NAME_LENGTH = 200;
const MAX_URI_LENGTH = 2000;

const GRANT_TYPES = ["authorization_code", "refresh_token"];

/** The parts of client metadata this server uses. */
export interface ClientMetadata {
  clientName: string | null;
  redirectUris: string[];
  /** Supported scopes the client asked for, or `null` for all. */
  scopes: string[] | null;
  clientUri: string | null;
  grantTypes: string[];
}

/**
 * Checks `body` as client metadata, throwing `invalid_redirect_uri` or
 * `invalid_client_metadata` naming the problem. A registration asking for a client secret
 * is given `none` instead (RFC 7591 §3.2.1 lets the server decide); a metadata document
 * naming a secret-based method is refused, as the CIMD draft requires.
 */
export function parseClientMetadata(
  body: unknown,
  supportedScopes: string[],
  kind: "registration" | "metadata_document",
): ClientMetadata {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid("Client metadata must be a JSON object.");
  }
  const meta = body as Record<string, unknown>;

  const uris = meta.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0) {
    throw new OAuthError("invalid_redirect_uri", "redirect_uris must be a non-empty array.");
  }
  if (uris.length > MAX_REDIRECT_URIS) {
    throw new OAuthError(
      "invalid_redirect_uri",
      `redirect_uris may list at most ${MAX_REDIRECT_URIS} URIs.`,
    );
  }
  uris.forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem) {
      throw new OAuthError("invalid_redirect_uri", `redirect_uris[${index}] ${problem}.`);
    }
  });

  const grantTypes = optionalStrings(meta.grant_types, "grant_types") ?? GRANT_TYPES;
  const unknownGrant = grantTypes.find((type) => !GRANT_TYPES.includes(type));
  if (unknownGrant !== undefined) {
    throw invalid(
      `grant_types: "${unknownGrant}" is not supported (only ${GRANT_TYPES.join(", ")}).`,
    );
  }
  if (!grantTypes.includes("authorization_code")) {
    throw invalid('grant_types must include "authorization_code".');
  }
  const responseTypes = optionalStrings(meta.response_types, "response_types") ?? ["code"];
  if (responseTypes.some((type) => type !== "code")) {
    throw invalid('response_types: only "code" is supported.');
  }

  const method = optionalString(meta.token_endpoint_auth_method, "token_endpoint_auth_method", 100);
  if (method !== null && method !== "none") {
    const secretBased = method === "client_secret_basic" || method === "client_secret_post";
    if (!secretBased || kind === "metadata_document") {
      throw invalid(
        `token_endpoint_auth_method "${method}" is not supported; this server has public clients only ("none").`,
      );
    }
  }
  if (kind === "metadata_document" && (meta.client_secret !== undefined)) {
    throw invalid("A client metadata document must not contain a client_secret.");
  }

  const rawName = optionalString(meta.client_name, "client_name", MAX_CLIENT_NAME_LENGTH);
  const clientName = rawName === null ? null : displayName(rawName);

  // An empty string means "none" (some clients, e.g. mcp-use, send `"client_uri": ""`).
  const clientUri = optionalString(meta.client_uri, "client_uri", MAX_URI_LENGTH) || null;
  if (clientUri !== null && !/^https?:\/\//i.test(clientUri)) {
    throw invalid("client_uri must be an http(s) URL.");
  }
  for (const field of ["logo_uri", "tos_uri", "policy_uri", "software_id", "software_version"]) {
    optionalString(meta[field], field, MAX_URI_LENGTH);
  }

  let scopes: string[] | null;
  try {
    scopes = parseScope(optionalString(meta.scope, "scope", 1000));
  } catch (error) {
    throw error instanceof OAuthError ? invalid(`scope: ${error.message}`) : error;
  }
  const known = scopes?.filter((scope) => supportedScopes.includes(scope)) ?? [];

  return {
    clientName,
    redirectUris: uris as string[],
    scopes: known.length > 0 ? known : null,
    clientUri,
    grantTypes,
  };
}

/**
 * A client name fit to show on the consent page: control and invisible formatting characters
 * (bidirectional overrides, zero-width characters) removed, since they could make the name
 * read as another; `null` when nothing is left.
 */
export function displayName(name: string): string | null {
  return name.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/gu, "").replace(/\s+/g, " ").trim() ||
    null;
}

function invalid(message: string): OAuthError {
  return new OAuthError("invalid_client_metadata", message);
}

function optionalString(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalid(`${field} must be a string.`);
  if (value.length > max) throw invalid(`${field} must be at most ${max} characters.`);
  return value;
}

function optionalStrings(value: unknown, field: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (
    !Array.isArray(value) || value.some((item) => typeof item !== "string") || value.length > 10
  ) {
    throw invalid(`${field} must be an array of at most 10 strings.`);
  }
  return value as string[];
}
