/**
 * The token endpoint (RFC 6749 §3.2, OAuth 2.1 §4.1.3, §4.3): `authorization_code` with PKCE
 * and `refresh_token` with rotation, for public clients. Every refusal is an `OAuthError`
 * thrown before anything is stored.
 */
import type { Context } from "hono";
import type { AppEnv } from "../http/context.ts";
import { clientLimit, enforceRateLimit } from "../http/rate_limit.ts";
import { MetadataDocumentError, withBeforeFetch } from "./client_id_documents.ts";
import { findClient, noteClientUsed } from "./client_lookup.ts";
import { OAuthError } from "./errors.ts";
import { isWellFormedVerifier, s256, timingSafeEqual } from "./pkce.ts";
import { forgetRevokedGrant } from "./revocations.ts";
import { parseScope, supportedScopes } from "./scopes.ts";
import { hashSecret, isSecretShaped, newSecret } from "./secrets.ts";
import { openSuccessor, sealSuccessor } from "./successor.ts";
import type { StoredClient } from "./store/clients.ts";
import { redeemCode } from "./store/codes.ts";
import type { IssuedChain, StoredGrant } from "./store/grants.ts";
import { rotateRefreshToken } from "./store/refresh_tokens.ts";
import { ACCESS_TOKEN_TTL_SECONDS, issueAccessToken } from "./tokens.ts";

const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** The RFC 6749 §5.1 success body. */
interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/** Handles `POST /oauth/token` (at `now`, by default the deps' clock). */
export async function handleTokenRequest(
  c: Context<AppEnv>,
  now = c.var.deps.clock?.() ?? Date.now(),
): Promise<Response> {
  const params = await readForm(c);
  const grantType = params.get("grant_type");
  if (!grantType) throw new OAuthError("invalid_request", "grant_type is required.");
  if (grantType !== "authorization_code" && grantType !== "refresh_token") {
    throw new OAuthError(
      "unsupported_grant_type",
      `grant_type "${grantType}" is not supported; use authorization_code or refresh_token.`,
    );
  }
  const client = await authenticateClient(c, params);
  const body = grantType === "authorization_code"
    ? await exchangeCode(c, client, params, now)
    : await refresh(c, client, params, now);
  await noteClientUsed(c.var.deps.kv, client, now);
  return c.json(body, 200, { "Cache-Control": "no-store", Pragma: "no-cache" });
}

/** Reads the form body, refusing other media types and repeated parameters (RFC 6749 §3.2). */
async function readForm(c: Context<AppEnv>): Promise<URLSearchParams> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new OAuthError(
      "invalid_request",
      "The token request must be application/x-www-form-urlencoded.",
    );
  }
  const params = new URLSearchParams(await c.req.text());
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (seen.has(name)) throw new OAuthError("invalid_request", `${name} is repeated.`);
    seen.add(name);
  }
  return params;
}

/** The challenge RFC 6749 §5.2 requires with `invalid_client` after header authentication. */
const BASIC_CHALLENGE = { "WWW-Authenticate": 'Basic realm="oauth"' };

/** Public clients identify themselves with `client_id` (or as the Basic user name). */
async function authenticateClient(
  c: Context<AppEnv>,
  params: URLSearchParams,
): Promise<StoredClient> {
  let clientId = params.get("client_id");
  const header = c.req.header("Authorization") ?? "";
  const viaBasic = /^Basic(\s|$)/i.test(header);
  const challenge = viaBasic ? BASIC_CHALLENGE : {};
  if (viaBasic) {
    const basic = header.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i);
    let user: string | null = null;
    try {
      const decoded = atob(basic?.[1] ?? "");
      user = decodeURIComponent(decoded.slice(0, Math.max(0, decoded.indexOf(":"))));
    } catch {
      // fall through: reported below
    }
    if (!user || (clientId !== null && clientId !== user)) {
      throw new OAuthError(
        "invalid_client",
        "The Authorization header does not name the client.",
        401,
        challenge,
      );
    }
    clientId = user;
  }
  if (!clientId) throw new OAuthError("invalid_request", "client_id is required.");
  let client: StoredClient | null;
  try {
    client = await findClient(
      c.var.deps.kv,
      clientId,
      supportedScopes(),
      withBeforeFetch(
        c.var.deps.documentFetcher,
        () => enforceRateLimit(c.var.deps.kv, clientLimit(c, "registration")),
      ),
    );
  } catch (error) {
    if (error instanceof MetadataDocumentError) {
      // A passing outage of the client's host must not make it discard its tokens.
      throw error.transient
        ? new OAuthError("temporarily_unavailable", error.message, 503)
        : new OAuthError("invalid_client", error.message, 401, challenge);
    }
    throw error;
  }
  if (!client) {
    throw new OAuthError(
      "invalid_client",
      "Unknown client_id; register the client again.",
      401,
      challenge,
    );
  }
  return client;
}

async function exchangeCode(
  c: Context<AppEnv>,
  client: StoredClient,
  params: URLSearchParams,
  now: number,
): Promise<TokenResponse> {
  const code = params.get("code");
  const verifier = params.get("code_verifier");
  const redirectUri = params.get("redirect_uri");
  if (!code) throw new OAuthError("invalid_request", "code is required.");
  if (!verifier) throw new OAuthError("invalid_request", "code_verifier is required (PKCE).");
  if (!isWellFormedVerifier(verifier)) {
    throw new OAuthError("invalid_request", "code_verifier must be 43-128 unreserved characters.");
  }
  if (!redirectUri) throw new OAuthError("invalid_request", "redirect_uri is required.");
  const resource = params.get("resource");
  if (!isSecretShaped(code)) throw new OAuthError("invalid_grant", "The code is not valid.");

  const kv = c.var.deps.kv;
  const challenge = await s256(verifier);
  const refreshToken = newSecret();
  const refreshHash = await hashSecret(refreshToken);
  const outcome = await redeemCode(
    kv,
    await hashSecret(code),
    now,
    (stored) => {
      if (stored.clientId !== client.clientId) {
        throw new OAuthError("invalid_grant", "The code was issued to another client.");
      }
      if (stored.redirectUri !== redirectUri) {
        throw new OAuthError(
          "invalid_grant",
          "redirect_uri differs from the authorization request's.",
        );
      }
      if (!timingSafeEqual(challenge, stored.codeChallenge)) {
        throw new OAuthError("invalid_grant", "code_verifier does not match the code_challenge.");
      }
      if (resource !== null && resource !== stored.resource) {
        throw new OAuthError(
          "invalid_target",
          "resource differs from the authorization request's.",
        );
      }
    },
    (stored) =>
      newChain(
        {
          grantId: crypto.randomUUID(),
          userId: stored.userId,
          clientId: stored.clientId,
          scopes: stored.scopes,
          resource: stored.resource,
          createdAt: now,
        },
        refreshHash,
        now,
      ),
  );
  switch (outcome.kind) {
    case "unknown":
      throw new OAuthError("invalid_grant", "The code is not valid.");
    case "expired":
      throw new OAuthError("invalid_grant", "The code has expired; authorize again.");
    case "replayed":
      throw new OAuthError(
        "invalid_grant",
        "The code was already used; the tokens issued for it are revoked.",
      );
    case "no_consent":
      throw new OAuthError("invalid_grant", "The person has revoked access for this client.");
  }
  return await tokenResponse(c, outcome.chain.grant, outcome.chain.grant.scopes, refreshToken, now);
}

/**
 * Refresh with rotation and a reuse grace window for concurrent refreshes (one client
 * refreshing the same token from two places at once, e.g. Claude's connector).
 *
 * Design: a rotation stores, beside the old token's hash, its successor sealed under a key
 * derived from the old token (lib/oauth/successor.ts; nothing readable is stored). Within
 * the window, and only while that successor is still the grant's live token, presenting the
 * old token again returns a fresh access token and the SAME successor refresh token, and
 * writes nothing. So both concurrent requests succeed, both callers hold the one live refresh
 * token, and the grant keeps exactly one chain; whichever caller refreshes next moves it on.
 * The alternatives were worse: a new sibling token per reuse (Auth0's reuse interval) leaves
 * several live chains, so a thief who reuses a stolen token in the window gets a branch that
 * reuse detection never sees; replacing the grant's token with the second request's makes
 * the first caller's token stale, and its next refresh would revoke the grant. Reuse after
 * the window, or of a token whose successor was itself used (the chain moved on), still
 * revokes the whole grant. The single-use check stays one atomic operation in the store.
 */
async function refresh(
  c: Context<AppEnv>,
  client: StoredClient,
  params: URLSearchParams,
  now: number,
): Promise<TokenResponse> {
  const token = params.get("refresh_token");
  if (!token) throw new OAuthError("invalid_request", "refresh_token is required.");
  const requestedScopes = parseScope(params.get("scope"));
  const resource = params.get("resource");
  if (!isSecretShaped(token)) {
    throw new OAuthError("invalid_grant", "The refresh token is not valid.");
  }

  const refreshToken = newSecret();
  const refreshHash = await hashSecret(refreshToken);
  const reuse = {
    graceMs: c.var.deps.config.tokens.refreshReuseGraceMs,
    sealedSuccessor: await sealSuccessor(token, refreshToken),
  };
  const outcome = await rotateRefreshToken(
    c.var.deps.kv,
    await hashSecret(token),
    now,
    (grant) => {
      if (grant.clientId !== client.clientId) {
        throw new OAuthError("invalid_grant", "The refresh token was issued to another client.");
      }
      if (requestedScopes && requestedScopes.some((scope) => !grant.scopes.includes(scope))) {
        throw new OAuthError("invalid_scope", "scope may only narrow the scopes first granted.");
      }
      if (resource !== null && resource !== grant.resource) {
        throw new OAuthError("invalid_target", "resource differs from the one first granted.");
      }
    },
    (grant) => newChain(grant, refreshHash, now),
    reuse,
  );
  switch (outcome.kind) {
    case "unknown":
    case "revoked":
      throw new OAuthError("invalid_grant", "The refresh token is not valid.");
    case "expired":
      throw new OAuthError("invalid_grant", "The refresh token has expired; authorize again.");
    case "reused":
      // A revoked app's Undo must not bring the reused chain back.
      await forgetRevokedGrant(c.var.deps.kv, outcome.refresh, now);
      throw new OAuthError(
        "invalid_grant",
        "The refresh token was already used; every token of this authorization is revoked.",
      );
    case "grace": {
      const successor = await openSuccessor(token, outcome.sealedSuccessor);
      if (!successor) throw new OAuthError("invalid_grant", "The refresh token is not valid.");
      const scopes = requestedScopes ?? outcome.grant.scopes;
      return await tokenResponse(c, outcome.grant, scopes, successor, now);
    }
  }
  return await tokenResponse(
    c,
    outcome.chain.grant,
    requestedScopes ?? outcome.chain.grant.scopes,
    refreshToken,
    now,
  );
}

/** The grant (moved on to `refreshHash`) and its next refresh token, alive 30 days from `now`. */
function newChain(
  grant: Omit<StoredGrant, "refreshHash" | "expiresAt">,
  refreshHash: string,
  now: number,
): IssuedChain {
  const expiresAt = now + REFRESH_TOKEN_TTL_MS;
  return {
    grant: { ...grant, refreshHash, expiresAt },
    refreshHash,
    refresh: {
      grantId: grant.grantId,
      userId: grant.userId,
      clientId: grant.clientId,
      expiresAt,
      rotatedAt: null,
    },
  };
}

async function tokenResponse(
  c: Context<AppEnv>,
  grant: StoredGrant,
  scopes: string[],
  refreshToken: string,
  now: number,
): Promise<TokenResponse> {
  const accessToken = await issueAccessToken(c.var.deps.kv, {
    issuer: c.var.origin,
    userId: grant.userId,
    clientId: grant.clientId,
    scopes,
    resource: grant.resource,
    grantId: grant.grantId,
  }, { now, keyRotationMs: c.var.deps.config.tokens.signingKeyRotationMs });
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    refresh_token: refreshToken,
    scope: scopes.join(" "),
  };
}
