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
import { createConnectedAppsCheck, type IntrospectionOptions } from "./stytch_introspection.ts";
import { createMetadataRelay } from "./stytch_metadata.ts";
import { createStytchTokenVerifier } from "./stytch_tokens.ts";

/** Cookie the Stytch JS SDK keeps the session JWT in (its default name). */
export const STYTCH_SESSION_COOKIE = "stytch_session_jwt";

export interface StytchIdentityOptions extends IntrospectionOptions {
  /** Bound on fetching the JWKS, the metadata and an introspection (ms); tests shorten it. */
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
  const connectedApps = createConnectedAppsCheck(config.domain, options);
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
    async verifyAccessToken(token, resource) {
      // Stytch puts the project id in a Connected Apps token's `aud`; a token bound to this
      // server's MCP URL by a `resource` parameter (RFC 8707) is accepted too. The signature
      // check is local; whether the person revoked the app is asked of Stytch at most once a
      // minute per token (lib/auth/stytch_introspection.ts).
      return await connectedApps.confirm(token, await tokens.verifyAccessToken(token, resource));
    },
    isGrantLive(grant) {
      return connectedApps.isGrantLive(grant);
    },
    authorizationServer() {
      return config.domain.origin;
    },
    authorizationServerMetadata(appOrigin) {
      return metadata(appOrigin);
    },
  };
}
