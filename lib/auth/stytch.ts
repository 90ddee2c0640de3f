/**
 * The Stytch identity provider: browser sessions are the `stytch_session_jwt` cookie set by
 * Stytch's JS SDK, MCP bearer tokens are Connected Apps access tokens; both are verified
 * locally against the project's JWKS. The authorization server is Stytch itself.
 */
import { deleteCookie } from "hono/cookie";
import { decodeJwt } from "jose";
import type { StytchConfig } from "../config.ts";
import type { IdentityProvider } from "./identity.ts";
import { InvalidTokenError } from "./jwt.ts";
import { requestCookie } from "./cookies.ts";
import { createMetadataRelay } from "./stytch_metadata.ts";
import { createStytchTokenVerifier } from "./stytch_tokens.ts";

/** Cookie the Stytch JS SDK keeps the session JWT in (its default name). */
export const STYTCH_SESSION_COOKIE = "stytch_session_jwt";

export interface StytchIdentityOptions {
  /** Bound on fetching the JWKS and the metadata (ms); tests shorten it. */
  timeoutMs?: number;
  /** Minimum time between JWKS refreshes for unknown `kid`s (ms); tests shorten it. */
  cooldownMs?: number;
}

/** Creates the Stytch identity provider for `config`. */
export function createStytchIdentity(
  config: StytchConfig,
  options: StytchIdentityOptions = {},
): IdentityProvider {
  const tokens = createStytchTokenVerifier(config, options);
  const metadata = createMetadataRelay(config.domain, { timeoutMs: options.timeoutMs });
  return {
    label: "Stytch",
    hostsAuthorizationServer: false,
    browserSignIn: {
      publicConfig: { publicToken: config.publicToken, domain: config.domain.origin },
      // The browser SDK always calls `https://<host>`, whatever scheme or port the domain names.
      sdkOrigin: `https://${config.domain.hostname}`,
    },
    signOut(c) {
      // The session JWT cookie expires at once, so this server stops accepting it even without
      // JavaScript; the page's island revokes the session at Stytch (the SDK holds that cookie).
      deleteCookie(c, STYTCH_SESSION_COOKIE, { path: "/" });
      return Promise.resolve();
    },
    async getSessionUser(req) {
      const token = requestCookie(req, STYTCH_SESSION_COOKIE);
      if (!token) return null;
      try {
        return await tokens.verifySession(token);
      } catch (error) {
        if (error instanceof InvalidTokenError) return null;
        throw error;
      }
    },
    async getSessionExpiry(req) {
      const token = requestCookie(req, STYTCH_SESSION_COOKIE);
      if (!token) return null;
      try {
        await tokens.verifySession(token);
      } catch (error) {
        if (error instanceof InvalidTokenError) return null;
        throw error;
      }
      // Verified above; its `exp` is when the browser must present a refreshed JWT.
      const { exp } = decodeJwt(token);
      return typeof exp === "number" ? exp * 1000 : null;
    },
    verifyAccessToken(token, resource) {
      // Stytch puts the project id in a Connected Apps token's `aud`; a token bound to this
      // server's MCP URL by a `resource` parameter (RFC 8707) is accepted too.
      return tokens.verifyAccessToken(token, resource);
    },
    isGrantLive() {
      // Stytch offers no offline check of a revoked Connected Apps grant; the access token's
      // `exp` (which ends a listen stream) bounds how long a revoked grant is heard.
      return Promise.resolve(true);
    },
    authorizationServer() {
      return config.domain.origin;
    },
    authorizationServerMetadata(appOrigin) {
      return metadata(appOrigin);
    },
  };
}
