/**
 * Test helpers for Stytch mode: an environment pointing the app at a loopback
 * {@linkcode TestIssuer}, and claims shaped like Stytch session JWTs and Connected Apps
 * access tokens (see Stytch's token object docs).
 */
import { STYTCH_SESSION_CLAIM } from "../auth/stytch_tokens.ts";
import { startTestIssuer, type TestIssuer } from "./issuer.ts";
import { createTestApp, type TestApp } from "./app.ts";
import type { StandInSession } from "./stytch_api.ts";

export const TEST_PROJECT_ID = "project-test-00000000-0000-4000-8000-000000000001";
export const TEST_PUBLIC_TOKEN = "public-token-test-00000000-0000-4000-8000-000000000002";
export const TEST_SECRET = "secret-test-ThisIsNotARealSecret0000";
export const TEST_USER_ID = "user-test-00000000-0000-4000-8000-0000000000aa";

/**
 * Environment selecting Stytch mode with `issuer` standing in for the project domain and, when
 * it has one, its sessions API stand-in for `STYTCH_API_URL`.
 */
export function stytchEnv(
  issuer: Pick<TestIssuer, "origin"> & { api?: { origin: string } },
): Record<string, string> {
  return {
    STYTCH_PROJECT_ID: TEST_PROJECT_ID,
    STYTCH_SECRET: TEST_SECRET,
    STYTCH_PUBLIC_TOKEN: TEST_PUBLIC_TOKEN,
    STYTCH_DOMAIN: issuer.origin,
    ...issuer.api ? { STYTCH_API_URL: issuer.api.origin } : {},
  };
}

/** Claims of a Stytch session JWT for `sub`, issued by `issuer`. */
export function sessionClaims(
  issuer: Pick<TestIssuer, "origin">,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    iss: issuer.origin,
    aud: [TEST_PROJECT_ID],
    sub: TEST_USER_ID,
    [STYTCH_SESSION_CLAIM]: {
      id: `session-test-${crypto.randomUUID()}`,
      started_at: now,
      last_accessed_at: now,
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      attributes: { ip_address: "", user_agent: "" },
      authentication_factors: [{
        type: "otp",
        delivery_method: "email",
        last_authenticated_at: now,
        email_factor: {
          email_id: `email-test-${crypto.randomUUID()}`,
          email_address: "ada@example.com",
        },
      }],
    },
    ...overrides,
  };
}

/** Claims of a Connected Apps access token for `sub`, issued by `issuer`. */
export function accessTokenClaims(
  issuer: Pick<TestIssuer, "origin">,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    iss: issuer.origin,
    aud: [TEST_PROJECT_ID],
    sub: TEST_USER_ID,
    client_id: `connected-app-test-${crypto.randomUUID()}`,
    scope: "openid read:todos write:todos",
    jti: crypto.randomUUID(),
    ...overrides,
  };
}

/** Runs `fn` with an app in Stytch mode against a fresh issuer and sessions API stand-in. */
export async function withStytchApp(fn: (t: TestApp, issuer: TestIssuer) => Promise<void>) {
  const issuer = await startTestIssuer();
  try {
    using t = await createTestApp({ env: stytchEnv(issuer) });
    await fn(t, issuer);
  } finally {
    await issuer.close();
  }
}

/** The `Cookie` header of a browser holding `session` (its JWT replaced when `jwt` is given). */
export function cookieOf(session: StandInSession, jwt = session.sessionJwt): string {
  return `stytch_session=${session.sessionToken}; stytch_session_jwt=${jwt}`;
}

/** The cookies `res` sets: name to value, and the raw `Set-Cookie` lines. */
export function setCookiesOf(res: Response): { values: Map<string, string>; lines: string[] } {
  const lines = res.headers.getSetCookie();
  const values = new Map(lines.map((line) => {
    const pair = line.split(";")[0];
    return [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)];
  }));
  return { values, lines };
}
