/**
 * Access tokens: RS256 JWTs shaped like Stytch Connected Apps tokens (`iss`, `sub`, `aud`,
 * `scope`, `client_id`, `exp`, `iat`, `nbf`, `jti`) plus `grant_id`, typed `at+jwt`
 * (RFC 9068). The audience is the resource the client asked for (RFC 8707).
 */
import { decodeProtectedHeader, SignJWT } from "jose";
import type { AccessGrant } from "../auth/identity.ts";
import { InvalidTokenError, verifyJwt } from "../auth/jwt.ts";
import { currentSigningKey, type RotationPolicy, verificationKeys } from "./keys.ts";
import { getGrant } from "./store.ts";

export const ACCESS_TOKEN_TTL_SECONDS = 60 * 60;
export const ACCESS_TOKEN_TYPE = "at+jwt";

/** The signing key rotation for keys that rotate every `rotateAfterMs` (config `tokens`). */
export function signingKeyPolicy(rotateAfterMs: number): RotationPolicy {
  return { rotateAfterMs, tokenLifetimeMs: ACCESS_TOKEN_TTL_SECONDS * 1000 };
}

export interface AccessTokenClaims {
  issuer: string;
  userId: string;
  clientId: string;
  scopes: string[];
  resource: string;
  grantId: string;
}

/**
 * Signs an access token for `claims`, valid for about an hour from `now`, with the current
 * key (rotated first when it is older than `keyRotationMs`).
 */
export async function issueAccessToken(
  kv: Deno.Kv,
  claims: AccessTokenClaims,
  options: { keyRotationMs: number; now?: number },
): Promise<string> {
  const now = options.now ?? Date.now();
  const key = await currentSigningKey(kv, signingKeyPolicy(options.keyRotationMs), now);
  const seconds = Math.floor(now / 1000);
  return await new SignJWT({
    scope: claims.scopes.join(" "),
    client_id: claims.clientId,
    grant_id: claims.grantId,
  })
    .setProtectedHeader({ alg: "RS256", typ: ACCESS_TOKEN_TYPE, kid: key.kid })
    .setIssuer(claims.issuer)
    .setSubject(claims.userId)
    .setAudience(claims.resource)
    .setIssuedAt(seconds)
    .setNotBefore(seconds)
    .setExpirationTime(seconds + ACCESS_TOKEN_TTL_SECONDS)
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
}

/**
 * Verifies an access token from this server for `resource` (the canonical `/mcp` URL, whose
 * origin is the issuer). Tokens of other types (no `at+jwt` header, no client or grant) are
 * refused, and so are tokens whose grant was revoked since they were issued.
 */
export async function verifyLocalAccessToken(
  kv: Deno.Kv,
  token: string,
  resource: string,
  now = Date.now(),
): Promise<AccessGrant> {
  let typ: unknown;
  let kid: unknown;
  try {
    ({ typ, kid } = decodeProtectedHeader(token));
  } catch {
    throw new InvalidTokenError("Token is not a JWT.");
  }
  if (typeof typ !== "string" || typ.toLowerCase() !== ACCESS_TOKEN_TYPE) {
    throw new InvalidTokenError("Token is not an access token.");
  }
  const payload = await verifyJwt(token, await verificationKeys(kv, kid, now), {
    issuers: [new URL(resource).origin],
    audience: resource,
    check(payload) {
      for (const claim of ["client_id", "grant_id", "scope", "jti"]) {
        if (typeof payload[claim] !== "string") {
          throw new InvalidTokenError(`Token has no "${claim}" claim.`);
        }
      }
    },
  });
  const userId = payload.sub as string;
  const clientId = payload.client_id as string;
  if (!(await getGrant(kv, userId, clientId, payload.grant_id as string, now))) {
    throw new InvalidTokenError("Token has been revoked.");
  }
  return {
    userId,
    clientId,
    scopes: (payload.scope as string).split(" ").filter(Boolean),
  };
}
