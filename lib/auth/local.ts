/**
 * The built-in local identity provider: email-only sign-in for development, sessions in KV
 * behind an HttpOnly cookie. MCP access tokens come from the app's own OAuth server.
 */
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { InvalidTokenError, NotFoundError } from "../errors.ts";
import type { AccessGrant, IdentityProvider, ReadAlong } from "./identity.ts";
import { requestCookie } from "./cookies.ts";
import {
  createSession,
  deleteSession,
  findOrCreateLocalUser,
  findSession,
  normalizeEmail,
  SESSION_TTL_MS,
} from "./local_sessions.ts";

export const LOCAL_SESSION_COOKIE = "todo_session";

const NO_COOKIES: readonly string[] = Object.freeze([]);
const NO_SESSION = Object.freeze({ user: null, expiresAt: null, setCookies: NO_COOKIES });

export interface LocalIdentityOptions {
  kv: Deno.Kv;
  /** Verifies access tokens from the built-in authorization server. */
  verifyAccessToken?: (
    token: string,
    resource: string,
    along?: ReadAlong,
  ) => Promise<AccessGrant>;
  /** Whether a grant `verifyAccessToken` returned still stands; without it, every grant does. */
  isGrantLive?: (grant: AccessGrant) => Promise<boolean>;
  /** Metadata of the built-in authorization server. */
  authorizationServerMetadata?: (appOrigin: string) => Record<string, unknown>;
}

/** Creates the local identity provider over `kv`: form sign-in and the app's own OAuth server. */
export function createLocalIdentity(options: LocalIdentityOptions): IdentityProvider {
  const { kv } = options;
  return {
    label: "built-in",
    hostsAuthorizationServer: true,
    formSignIn: {
      async signIn(c, email, cookie) {
        const user = await findOrCreateLocalUser(kv, normalizeEmail(email));
        const token = await createSession(kv, user);
        setCookie(c, LOCAL_SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: "Lax",
          secure: cookie.secure,
          path: "/",
          maxAge: SESSION_TTL_MS / 1000,
        });
        return { id: user.id, email: user.email };
      },
    },
    async signOut(c, cookie) {
      const token = getCookie(c, LOCAL_SESSION_COOKIE);
      if (token) await deleteSession(kv, token);
      deleteCookie(c, LOCAL_SESSION_COOKIE, { path: "/", secure: cookie.secure });
    },
    async getSession(req) {
      const token = requestCookie(req, LOCAL_SESSION_COOKIE);
      const found = token ? await findSession(kv, token) : null;
      // Local sessions are never renewed: no cookie changes.
      return found ? { ...found, setCookies: NO_COOKIES } : NO_SESSION;
    },
    verifyAccessToken(token, resource, along) {
      if (!options.verifyAccessToken) {
        return Promise.reject(new InvalidTokenError("This server issues no access tokens."));
      }
      return options.verifyAccessToken(token, resource, along);
    },
    isGrantLive(grant) {
      // Without a grant store (tokens from elsewhere, as in the MCP test harness) only `exp` ends them.
      return options.isGrantLive ? options.isGrantLive(grant) : Promise.resolve(true);
    },
    authorizationServer(appOrigin) {
      return appOrigin;
    },
    authorizationServerMetadata(appOrigin) {
      if (!options.authorizationServerMetadata) {
        return Promise.reject(new NotFoundError("This server has no OAuth authorization server."));
      }
      return Promise.resolve(options.authorizationServerMetadata(appOrigin));
    },
  };
}
