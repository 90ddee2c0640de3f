/**
 * The two cookies of a Stytch browser session, written by the server exactly as Stytch's browser
 * SDK (`@stytch/vanilla-js`) writes them, so either side can replace the other's:
 * `stytch_session` (the opaque session token) and `stytch_session_jwt`, both `Path=/` (the app's
 * SDK set-up, `browser/stytch.ts`), `SameSite=Lax`, no `Domain` (not shared with
 * subdomains), `Expires` the Stytch session's end (`session.expires_at`), and not HttpOnly,
 * since the SDK reads them from JavaScript. `Secure` when the app is served over https (the SDK
 * leaves it off on localhost, as plain http there needs).
 */
import { serialize } from "hono/utils/cookie";
import type { CookieOptions } from "./identity.ts";

/** Cookie holding the session JWT (the SDK's default name). */
export const STYTCH_SESSION_JWT_COOKIE = "stytch_session_jwt";
/** Cookie holding the opaque session token (the SDK's default name). */
export const STYTCH_SESSION_TOKEN_COOKIE = "stytch_session";

/** `Set-Cookie` values storing a session's token and JWT until `expiresAt` (ms since the epoch). */
export function sessionCookies(
  tokens: { sessionToken: string; sessionJwt: string; expiresAt: number },
  cookie: CookieOptions,
): string[] {
  const options = { ...attributes(cookie), expires: new Date(tokens.expiresAt) };
  return [
    serialize(STYTCH_SESSION_TOKEN_COOKIE, tokens.sessionToken, options),
    serialize(STYTCH_SESSION_JWT_COOKIE, tokens.sessionJwt, options),
  ];
}

/** `Set-Cookie` values removing both session cookies. */
export function clearedSessionCookies(cookie: CookieOptions): string[] {
  const options = { ...attributes(cookie), maxAge: 0, expires: new Date(0) };
  return [
    serialize(STYTCH_SESSION_TOKEN_COOKIE, "", options),
    serialize(STYTCH_SESSION_JWT_COOKIE, "", options),
  ];
}

function attributes(cookie: CookieOptions) {
  return { path: "/", sameSite: "Lax", secure: cookie.secure } as const;
}
