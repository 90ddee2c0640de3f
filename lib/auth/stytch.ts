/**
 * The Stytch identity provider: browser sessions are the cookies of Stytch's JS SDK, MCP bearer
 * tokens are Connected Apps access tokens; both are verified locally against the project's JWKS.
 * A session whose five-minute JWT has expired is renewed from the server (one call to Stytch's
 * sessions API, lib/auth/stytch_sessions.ts) and the same request goes on with new cookies. The
 * authorization server is Stytch itself.
 */
import type { StytchConfig } from "../config.ts";
import type { CookieOptions, IdentityProvider, Session } from "./identity.ts";
import { InvalidTokenError } from "./jwt.ts";
import { requestCookie } from "./cookies.ts";
import { createConnectedAppsCheck, type IntrospectionOptions } from "./stytch_introspection.ts";
import {
  clearedSessionCookies,
  sessionCookies,
  STYTCH_SESSION_JWT_COOKIE,
  STYTCH_SESSION_TOKEN_COOKIE,
} from "./stytch_cookies.ts";
import { createMetadataRelay } from "./stytch_metadata.ts";
import { createStytchSessions, type SessionCredential } from "./stytch_sessions.ts";
import { createStytchTokenVerifier } from "./stytch_tokens.ts";
import { signInUnavailable } from "./unavailable.ts";

/** Cookie the Stytch JS SDK keeps the session JWT in (its default name). */
export const STYTCH_SESSION_COOKIE = STYTCH_SESSION_JWT_COOKIE;

export interface StytchIdentityOptions extends IntrospectionOptions {
  /**
   * Bound on fetching the JWKS and the metadata, on an introspection and on each call to
   * Stytch's sessions API (ms); tests shorten it.
   */
  timeoutMs?: number;
  /** Least time between JWKS refetches for unknown `kid`s (ms); tests shorten it. */
  refetchIntervalMs?: number;
  /** How long a session renewal's outcome is reused (ms); tests shorten it. */
  renewalMemoMs?: number;
}

/** Stytch's opaque session tokens: url-safe base64 (44 characters today), with room to grow. */
const SESSION_TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,256}$/;

const NO_SESSION: Session = Object.freeze({ user: null, expiresAt: null, setCookies: [] });

/** Creates the Stytch identity provider for `config`. */
export function createStytchIdentity(
  config: StytchConfig,
  options: StytchIdentityOptions = {},
): IdentityProvider {
  const tokens = createStytchTokenVerifier(config, options);
  const sessions = createStytchSessions(config, {
    timeoutMs: options.timeoutMs,
    memoMs: options.renewalMemoMs,
  });
  const metadata = createMetadataRelay(config.domain, { timeoutMs: options.timeoutMs });
  const connectedApps = createConnectedAppsCheck(config.domain, options);

  /** The request's session: its fresh JWT, else one renewal at Stytch (shared, memoised). */
  const getSession = async (req: Request, cookie = cookieOptionsOf(req)): Promise<Session> => {
    const jwt = requestCookie(req, STYTCH_SESSION_JWT_COOKIE);
    const cookieToken = requestCookie(req, STYTCH_SESSION_TOKEN_COOKIE);
    // Only something shaped like Stytch's session tokens is worth a call to Stytch.
    const token = cookieToken && SESSION_TOKEN_SHAPE.test(cookieToken) ? cookieToken : null;
    let expired = false;
    if (jwt) {
      try {
        const checked = await tokens.checkSession(jwt);
        if (checked !== "expired") return { ...checked, setCookies: [] };
        expired = true;
      } catch (error) {
        if (!(error instanceof InvalidTokenError)) throw error;
      }
    }
    // Only a genuine (expired) JWT or the opaque token is sent to Stytch; it decides.
    const credential: SessionCredential | null = token
      ? { session_token: token }
      : expired
      ? { session_jwt: jwt! }
      : null;
    if (!credential) return NO_SESSION;
    const renewal = await sessions.renew(credential);
    if (renewal.kind === "unavailable") throw signInUnavailable();
    if (renewal.kind === "ended") {
      return { user: null, expiresAt: null, setCookies: clearedSessionCookies(cookie) };
    }
    const expiresAt = renewal.sessionExpiresAt;
    return {
      user: renewal.user,
      expiresAt: renewal.jwtExpiresAt,
      setCookies: sessionCookies({ ...renewal, expiresAt }, cookie),
    };
  };

  return {
    label: "Stytch",
    hostsAuthorizationServer: false,
    browserSignIn: {
      publicConfig: { publicToken: config.publicToken, domain: config.domain.origin },
      // The browser SDK always calls `https://<host>`, whatever scheme or port the domain names.
      sdkOrigin: `https://${config.domain.hostname}`,
    },
    async signOut(c, cookie) {
      const token = requestCookie(c.req.raw, STYTCH_SESSION_TOKEN_COOKIE);
      const jwt = requestCookie(c.req.raw, STYTCH_SESSION_JWT_COOKIE);
      const credential = token ? { session_token: token } : jwt ? { session_jwt: jwt } : null;
      // Revoked at Stytch, so neither cookie renews anything afterwards. If Stytch cannot be
      // reached the cookies are still cleared: this browser is signed out either way.
      if (credential && !await sessions.revoke(credential)) {
        console.error("stytch: sign-out could not revoke the session; its cookies were cleared");
      }
      for (const value of clearedSessionCookies(cookie)) {
        c.header("Set-Cookie", value, { append: true });
      }
    },
    getSession,
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

/** Cookie options from the request alone: `secure` over https. */
function cookieOptionsOf(req: Request): CookieOptions {
  return { secure: new URL(req.url).protocol === "https:" };
}
