/**
 * Local verification of the two kinds of JWT a Stytch Consumer project issues to this app:
 * session JWTs (the `stytch_session_jwt` cookie) and Connected Apps access tokens (MCP bearer
 * tokens). Both are RS256, signed by the project's JWKS, with the same issuer and audience, so
 * they are told apart by their claims.
 */
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { StytchConfig } from "../config.ts";
import { ServiceUnavailableError } from "../errors.ts";
import type { AccessGrant, User } from "./identity.ts";
import { InvalidTokenError, type JwtRules, verifyJwt } from "./jwt.ts";
import { cachedUntil, VerifiedTokenCache } from "./token_cache.ts";

/** The claim Stytch puts in every session JWT (absent from Connected Apps access tokens). */
export const STYTCH_SESSION_CLAIM = "https://stytch.com/session";

/** How long a JWKS fetch may take before the request fails with 503. */
export const JWKS_TIMEOUT_MS = 3000;
/** At most one JWKS refresh per this period when a token names an unknown `kid`. */
export const JWKS_COOLDOWN_MS = 30_000;
/** Keys are refetched after this age even when every `kid` is known. */
export const JWKS_MAX_AGE_MS = 10 * 60_000;

export interface StytchTokenVerifier {
  /** The user of a valid session JWT; throws `InvalidTokenError` or `ServiceUnavailableError`. */
  verifySession(token: string): Promise<User>;
  /**
   * The grant of a valid Connected Apps access token whose audience is the project (what
   * Stytch issues) or `resource` (RFC 8707); throws like {@linkcode verifySession}.
   */
  verifyAccessToken(token: string, resource: string): Promise<AccessGrant>;
}

/** The issuers Stytch uses for a project: its domain (project or custom) and `stytch.com/<id>`. */
export function stytchIssuers(config: Pick<StytchConfig, "projectId" | "domain">): string[] {
  return [config.domain.origin, `stytch.com/${config.projectId}`];
}

/** URL of the project's JWKS. */
export function stytchJwksUrl(domain: URL): URL {
  return new URL("/.well-known/jwks.json", domain);
}

/**
 * Builds a verifier whose keys come from `<domain>/.well-known/jwks.json`, fetched lazily,
 * cached, refreshed at most once per 30 s for an unknown `kid`, with a bounded fetch time.
 */
export function createStytchTokenVerifier(
  config: Pick<StytchConfig, "projectId" | "domain">,
  options: { timeoutMs?: number; cooldownMs?: number } = {},
): StytchTokenVerifier {
  const keys = unavailableAs503(
    createRemoteJWKSet(stytchJwksUrl(config.domain), {
      timeoutDuration: options.timeoutMs ?? JWKS_TIMEOUT_MS,
      cooldownDuration: options.cooldownMs ?? JWKS_COOLDOWN_MS,
      cacheMaxAge: JWKS_MAX_AGE_MS,
    }),
  );
  const base = { issuers: stytchIssuers(config), audience: config.projectId };
  const sessionRules: JwtRules = { ...base, check: requireSessionClaims };
  const accessRules: JwtRules = { ...base, check: requireAccessTokenClaims };
  // Verified tokens, remembered until their `exp` but no longer than the keys themselves are
  // trusted without a refetch. Stytch's tokens are checked only by signature here (no call to
  // Stytch), so remembering one changes nothing about when it stops working.
  const sessions = new VerifiedTokenCache<Readonly<User>>();
  const grants = new VerifiedTokenCache<Readonly<AccessGrant>>();
  const trustUntil = (payload: JWTPayload) =>
    Math.min(cachedUntil(payload), Date.now() + JWKS_MAX_AGE_MS);
  return {
    async verifySession(token) {
      const known = sessions.get(token);
      if (known) return known;
      const payload = await verifyJwt(token, keys, sessionRules);
      const user = Object.freeze({ id: payload.sub!, email: sessionEmail(payload) });
      sessions.set(token, user, trustUntil(payload));
      return user;
    },
    async verifyAccessToken(token, resource) {
      const cacheKey = `${resource} ${token}`;
      const known = grants.get(cacheKey);
      if (known) return known;
      const audience = [config.projectId, resource];
      const payload = await verifyJwt(token, keys, { ...accessRules, audience });
      const grant = Object.freeze({
        userId: payload.sub!,
        scopes: Object.freeze(String(payload.scope).split(" ").filter(Boolean)) as string[],
        clientId: payload.client_id as string,
      });
      grants.set(cacheKey, grant, trustUntil(payload));
      return grant;
    },
  };
}

/** A session JWT carries Stytch's session claim (an object with the session id). */
function requireSessionClaims(payload: JWTPayload): void {
  const session = payload[STYTCH_SESSION_CLAIM];
  if (!isRecord(session) || typeof session.id !== "string" || session.id === "") {
    throw new InvalidTokenError("Token is not a Stytch session.");
  }
  if ("client_id" in payload) throw new InvalidTokenError("Token is not a Stytch session.");
}

/**
 * A Connected Apps access token names its client and its scopes and has no session claim.
 * Requiring `client_id` also keeps out M2M tokens, which share issuer and audience too.
 */
function requireAccessTokenClaims(payload: JWTPayload): void {
  if (STYTCH_SESSION_CLAIM in payload) {
    throw new InvalidTokenError("A session token is not an access token.");
  }
  if (typeof payload.client_id !== "string" || payload.client_id === "") {
    throw new InvalidTokenError("Token is not a Connected Apps access token.");
  }
  if (typeof payload.scope !== "string") {
    throw new InvalidTokenError("Token carries no scope.");
  }
}

/** The email address of the session's email factor, when it has one. */
function sessionEmail(payload: JWTPayload): string | null {
  const session = payload[STYTCH_SESSION_CLAIM];
  const factors = isRecord(session) ? session.authentication_factors : undefined;
  if (!Array.isArray(factors)) return null;
  for (const factor of factors) {
    const email = isRecord(factor) && isRecord(factor.email_factor)
      ? factor.email_factor.email_address
      : undefined;
    if (typeof email === "string" && email.includes("@")) return email;
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * jose reports a JWKS answering non-200 or non-JSON as a bare `JOSEError`, which would read as
 * a bad token (401). Those are Stytch being unavailable, so they become 503 here; key-matching
 * errors (unknown `kid`) pass through unchanged.
 */
function unavailableAs503(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      if (error instanceof errors.JOSEError && error.code === "ERR_JOSE_GENERIC") {
        throw new ServiceUnavailableError("Could not fetch signing keys; try again.");
      }
      throw error;
    }
  };
}
