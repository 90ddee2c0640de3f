/**
 * The authorization endpoint's rules (RFC 6749 §4.1, OAuth 2.1 §4.1.1, RFC 9207), apart
 * from the page that shows them: checking the request, remembering consent, the consent
 * form's CSRF token, and issuing codes.
 */
import { type DocumentFetcher, MetadataDocumentError } from "./client_id_documents.ts";
import { findClient, noteClientUsed } from "./client_lookup.ts";
import type { AppError } from "../errors.ts";
import { AuthorizePageError, OAuthError, oauthErrorFields } from "./errors.ts";
import { resourceUrl } from "../http/protected_resource.ts";
import { enforceRateLimit, type RateLimitRule } from "../http/rate_limit.ts";
import { requireS256Challenge } from "./pkce.ts";
import { redirectUriMatches } from "./redirect_uris.ts";
import { grantableScopes, parseScope, supportedScopes } from "./scopes.ts";
import { hashSecret, isSecretShaped, newSecret } from "./secrets.ts";
import type { StoredClient } from "./store/clients.ts";
import { saveCode } from "./store/codes.ts";
import {
  type AuthorizationRequest,
  type PendingAuthorization,
  savePendingAuthorization,
  takePendingAuthorization,
} from "./store/consent_forms.ts";
import { getConsent, saveConsent } from "./store/consents.ts";

const CODE_TTL_MS = 5 * 60 * 1000;
const CONSENT_FORM_TTL_MS = 10 * 60 * 1000;
const MAX_STATE_LENGTH = 2000;

/** Where the server runs and what it needs, for the authorization endpoint. */
export interface AuthorizeEnv {
  kv: Deno.Kv;
  /** The app's origin: the issuer, and the origin of the one resource, `<origin>/mcp`. */
  origin: string;
  fetcher?: DocumentFetcher;
}

/** A checked client and redirect URI: from here on, errors may be sent to the client. */
export interface VerifiedTarget {
  client: StoredClient;
  redirectUri: string;
  state: string | null;
}

/**
 * Checks `client_id` and `redirect_uri` first; they decide whether redirecting is safe, so
 * failures throw {@linkcode AuthorizePageError} (shown on a page, never redirected).
 */
export async function verifyClientAndRedirect(
  env: AuthorizeEnv,
  params: URLSearchParams,
): Promise<VerifiedTarget> {
  const clientId = single(params, "client_id");
  if (!clientId) throw new AuthorizePageError("The request names no client (client_id).");
  let client: StoredClient | null;
  try {
    client = await findClient(env.kv, clientId, supportedScopes(), env.fetcher);
  } catch (error) {
    if (error instanceof MetadataDocumentError) {
      throw new AuthorizePageError(`The app's client metadata could not be used. ${error.message}`);
    }
    throw error;
  }
  if (!client) {
    throw new AuthorizePageError(
      "This app is not registered here (unknown or expired client_id). Ask it to connect again.",
    );
  }
  const redirectUri = single(params, "redirect_uri");
  if (!redirectUri) throw new AuthorizePageError("The request has no redirect_uri.");
  if (!redirectUriMatches(redirectUri, client.redirectUris)) {
    throw new AuthorizePageError("The redirect_uri is not one this app registered.");
  }
  const state = params.get("state");
  return {
    client,
    redirectUri,
    state: state !== null && state.length <= MAX_STATE_LENGTH ? state : null,
  };
}

/**
 * Checks the rest of the request once the target is trusted; failures throw
 * {@linkcode OAuthError}, to be sent back with {@linkcode errorRedirect}.
 */
export function parseAuthorizationRequest(
  env: AuthorizeEnv,
  params: URLSearchParams,
  target: VerifiedTarget,
): AuthorizationRequest {
  for (
    const name of [
      "response_type",
      "code_challenge",
      "code_challenge_method",
      "scope",
      "resource",
      "state",
      "prompt",
    ]
  ) {
    if (params.getAll(name).length > 1) {
      throw new OAuthError("invalid_request", `${name} is repeated.`);
    }
  }
  if ((params.get("state")?.length ?? 0) > MAX_STATE_LENGTH) {
    throw new OAuthError(
      "invalid_request",
      `state must be at most ${MAX_STATE_LENGTH} characters.`,
    );
  }
  const responseType = params.get("response_type");
  if (responseType !== "code") {
    throw new OAuthError(
      responseType ? "unsupported_response_type" : "invalid_request",
      responseType ? 'Only response_type "code" is supported.' : "response_type is required.",
    );
  }
  const codeChallenge = requireS256Challenge(
    params.get("code_challenge"),
    params.get("code_challenge_method"),
  );
  const resource = resourceUrl(env.origin);
  const requestedResource = params.get("resource");
  if (requestedResource !== null && requestedResource !== resource) {
    throw new OAuthError(
      "invalid_target",
      `This server issues tokens only for ${resource}, not ${requestedResource.slice(0, 200)}.`,
    );
  }
  const scopes = grantableScopes(
    parseScope(params.get("scope")),
    supportedScopes(),
    target.client.scopes,
  );
  return {
    clientId: target.client.clientId,
    redirectUri: target.redirectUri,
    state: target.state,
    scopes,
    codeChallenge,
    resource,
  };
}

/**
 * The redirect carrying an error to the client (with `state` and `iss`, RFC 9207); any member
 * of the error family, in RFC 6749 terms (lib/oauth/errors.ts).
 */
export function errorRedirect(
  target: { redirectUri: string; state: string | null },
  error: AppError,
  issuer: string,
): string {
  const url = new URL(target.redirectUri);
  const fields = oauthErrorFields(error);
  url.searchParams.set("error", fields.error);
  url.searchParams.set("error_description", fields.error_description);
  if (target.state !== null) url.searchParams.set("state", target.state);
  url.searchParams.set("iss", issuer);
  return url.href;
}

/** True when the user already approved every scope of `request` for its client. */
export async function isRemembered(
  env: AuthorizeEnv,
  userId: string,
  request: AuthorizationRequest,
): Promise<boolean> {
  const consent = await getConsent(env.kv, userId, request.clientId);
  return !!consent && request.scopes.every((scope) => consent.scopes.includes(scope));
}

/**
 * Consent forms one user may open per minute, and one client address (users behind one office
 * address together). Each form is stored for 10 minutes, so at most ten times these are
 * stored at once per user and per address.
 */
export const CONSENT_FORM_LIMITS = {
  perUser: { name: "consent_user", limit: 20, windowMs: 60_000, what: "consent forms" },
  perAddress: { name: "consent_address", limit: 60, windowMs: 60_000, what: "consent forms" },
} as const satisfies Record<string, RateLimitRule>;

/**
 * Stores the consent form for `request` and returns its CSRF token (single use, 10 min), within
 * {@linkcode CONSENT_FORM_LIMITS} for the user and for the client's `address` (else 429).
 */
export async function startConsentForm(
  env: AuthorizeEnv,
  userId: string,
  request: AuthorizationRequest,
  address: string,
  now = Date.now(),
): Promise<string> {
  const { perUser, perAddress } = CONSENT_FORM_LIMITS;
  // The user's own limit first: forms it refuses do not use up the address's.
  await enforceRateLimit(
    env.kv,
    { subject: userId, rules: [perUser], source: "your account" },
    now,
  );
  await enforceRateLimit(env.kv, { subject: address, rules: [perAddress] }, now);
  const token = newSecret();
  const pending: PendingAuthorization = { userId, request, expiresAt: now + CONSENT_FORM_TTL_MS };
  await savePendingAuthorization(env.kv, await hashSecret(token), pending, now);
  return token;
}

/**
 * The request behind a submitted consent form, consumed so it works once; `null` when the
 * token is malformed, unknown, expired, used, or another user's.
 */
export async function finishConsentForm(
  env: AuthorizeEnv,
  userId: string,
  token: unknown,
  now = Date.now(),
): Promise<AuthorizationRequest | null> {
  if (!isSecretShaped(token)) return null;
  const pending = await takePendingAuthorization(env.kv, await hashSecret(token), userId, now);
  return pending?.request ?? null;
}

/**
 * Approves `request` for the user: remembers the consent, issues a code bound to the client,
 * redirect URI, challenge and resource, and returns the redirect (with `code`, `state`, `iss`).
 */
export async function approve(
  env: AuthorizeEnv,
  userId: string,
  client: StoredClient,
  request: AuthorizationRequest,
  now = Date.now(),
): Promise<string> {
  await saveConsent(env.kv, {
    userId,
    clientId: client.clientId,
    clientName: client.clientName,
    redirectHost: new URL(request.redirectUri).host,
    scopes: request.scopes,
    approvedAt: now,
  });
  const code = newSecret();
  await saveCode(env.kv, await hashSecret(code), {
    userId,
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    resource: request.resource,
    scopes: request.scopes,
    expiresAt: now + CODE_TTL_MS,
    redeemedGrantId: null,
  }, now);
  await noteClientUsed(env.kv, client, now);
  const url = new URL(request.redirectUri);
  url.searchParams.set("code", code);
  if (request.state !== null) url.searchParams.set("state", request.state);
  url.searchParams.set("iss", env.origin);
  return url.href;
}

/** The redirect for a person who chose Deny. */
export function deny(request: AuthorizationRequest, issuer: string): string {
  return errorRedirect(
    request,
    new OAuthError("access_denied", "The person denied the request."),
    issuer,
  );
}

/** A parameter that must appear at most once; repeated counts as missing. */
function single(params: URLSearchParams, name: string): string | null {
  const values = params.getAll(name);
  return values.length === 1 && values[0] !== "" ? values[0] : null;
}
