/**
 * Local verification of the two kinds of JWT a Stytch Consumer project issues to this app:
 * session JWTs (the `stytch_session_jwt` cookie) and Connected Apps access tokens (MCP bearer
 * tokens). Both are RS256, signed by the project's JWKS, with the same issuer and audience, so
 * they are told apart by their claims.
 */
import type { JWTPayload } from "jose";
import type { StytchConfig } from "../config.ts";
import type { AccessGrant, User } from "./identity.ts";
import { ExpiredTokenError, InvalidTokenError, type JwtRules, verifyJwt } from "./jwt.ts";
import { createStytchKeySet, JWKS_MAX_AGE_MS, type KeySetOptions } from "./stytch_jwks.ts";
import { cachedUntil, VerifiedTokenCache } from "./token_cache.ts";

/** The claim Stytch puts in every session JWT (absent from Connected Apps access tokens). */
export const STYTCH_SESSION_CLAIM = "https://stytch.com/session";

/** A session JWT that passed every check: its user, and when it expires (ms since the epoch). */
export interface VerifiedSession {
  user: User;
  expiresAt: number;
}

export interface StytchTokenVerifier {
  /**
   * A session JWT checked locally: `"expired"` when it is genuine but its `exp` has passed (no
   * leeway: that is when the server renews it). Throws `InvalidTokenError` for anything else
   * that is wrong, `ServiceUnavailableError` when the keys cannot be fetched.
   */
  checkSession(token: string): Promise<VerifiedSession | "expired">;
  /**
   * The grant of a valid Connected Apps access token whose audience is the project (what
   * Stytch issues) or `resource` (RFC 8707); throws like {@linkcode checkSession}.
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
 * Builds a verifier whose keys come from `<domain>/.well-known/jwks.json`, fetched lazily and
 * refetched by the rule of lib/auth/stytch_jwks.ts, with a bounded fetch time.
 */
export function createStytchTokenVerifier(
  config: Pick<StytchConfig, "projectId" | "domain">,
  options: KeySetOptions = {},
): StytchTokenVerifier {
  const keys = createStytchKeySet(stytchJwksUrl(config.domain), options);
  const base = { issuers: stytchIssuers(config), audience: config.projectId };
  const sessionRules: JwtRules = { ...base, check: requireSessionClaims };
  const accessRules: JwtRules = { ...base, check: requireAccessTokenClaims };
  // Verified tokens, remembered until their `exp` but no longer than the keys themselves are
  // trusted without a refetch. Stytch's tokens are checked only by signature here (no call to
  // Stytch), so remembering one changes nothing about when it stops working.
  const sessions = new VerifiedTokenCache<Readonly<VerifiedSession>>();
  const grants = new VerifiedTokenCache<Readonly<AccessGrant>>();
  const trustUntil = (payload: JWTPayload) =>
    Math.min(cachedUntil(payload), Date.now() + JWKS_MAX_AGE_MS);
  return {
    async checkSession(token) {
      const known = sessions.get(token);
      if (known) return known;
      let payload: JWTPayload;
      try {
        payload = await verifyJwt(token, keys, sessionRules);
      } catch (error) {
        if (error instanceof ExpiredTokenError) return "expired";
        throw error;
      }
      // Within jose's clock tolerance but past `exp`: renew now rather than in a minute.
      if (cachedUntil(payload) <= Date.now()) return "expired";
      const user = Object.freeze({ id: payload.sub!, email: sessionEmail(payload) });
      const session = Object.freeze({ user, expiresAt: cachedUntil(payload) });
      sessions.set(token, session, trustUntil(payload));
      return session;
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

/** The email address of the session's email factor (in a JWT's session claim), when it has one. */
export function sessionEmail(payload: Record<string, unknown>): string | null {
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
