/**
 * The built-in local identity provider: email-only sign-in for development, sessions in KV
 * behind an HttpOnly cookie. MCP access tokens come from the app's own OAuth server.
 */
import { getCookie } from "hono/cookie";
import type { Context } from "hono";
import type { AppEnv } from "../http/context.ts";
import { deleteCookie, setCookie } from "hono/cookie";
import { NotFoundError } from "../errors.ts";
import { InvalidTokenError } from "./jwt.ts";
import type { AccessGrant, IdentityProvider, User } from "./identity.ts";
import {
  createSession,
  deleteSession,
  findOrCreateLocalUser,
  getSessionExpiry,
  getSessionUser,
  normalizeEmail,
  SESSION_TTL_MS,
} from "./local_sessions.ts";

export const LOCAL_SESSION_COOKIE = "todo_session";

export interface LocalIdentity extends IdentityProvider {
  readonly kind: "local";
  /** Signs the person in as the local user for `email` and sets the session cookie. */
  signIn(c: Context<AppEnv>, email: unknown): Promise<User>;
  /** Ends the request's session, if any, and clears the cookie. */
  signOut(c: Context<AppEnv>): Promise<void>;
}

export interface LocalIdentityOptions {
  kv: Deno.Kv;
  /** Verifies access tokens from the built-in authorization server. */
  verifyAccessToken?: (token: string, resource: string) => Promise<AccessGrant>;
  /** Whether a grant `verifyAccessToken` returned still stands; without it, every grant does. */
  isGrantLive?: (grant: AccessGrant) => Promise<boolean>;
  /** Metadata of the built-in authorization server. */
  authorizationServerMetadata?: (appOrigin: string) => Record<string, unknown>;
}

/** Creates the local identity provider over `kv`. */
export function createLocalIdentity(options: LocalIdentityOptions): LocalIdentity {
  const { kv } = options;
  return {
    kind: "local",
    async getSessionUser(req) {
      const token = readCookie(req, LOCAL_SESSION_COOKIE);
      return token ? await getSessionUser(kv, token) : null;
    },
    async getSessionExpiry(req) {
      const token = readCookie(req, LOCAL_SESSION_COOKIE);
      return token ? await getSessionExpiry(kv, token) : null;
    },
    async verifyAccessToken(token, resource) {
      if (!options.verifyAccessToken) {
        throw new InvalidTokenError("This server issues no access tokens.");
      }
      return await options.verifyAccessToken(token, resource);
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
    async signIn(c, email) {
      const user = await findOrCreateLocalUser(kv, normalizeEmail(email));
      const token = await createSession(kv, user);
      setCookie(c, LOCAL_SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "Lax",
        secure: isHttps(c),
        path: "/",
        maxAge: SESSION_TTL_MS / 1000,
      });
      return user;
    },
    async signOut(c) {
      const token = getCookie(c, LOCAL_SESSION_COOKIE);
      if (token) await deleteSession(kv, token);
      deleteCookie(c, LOCAL_SESSION_COOKIE, {
        path: "/",
        secure: isHttps(c),
      });
    },
  };
}

/** Reads one cookie from a raw request. */
export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.get("Cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index === -1) continue;
    if (part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** True when the app is served over https: its canonical origin (`PUBLIC_URL`) says so, which
 * also holds behind a TLS-terminating proxy that forwards plain http. */
function isHttps(c: Context<AppEnv>): boolean {
  return new URL(c.get("origin") ?? c.req.url).protocol === "https:";
}
