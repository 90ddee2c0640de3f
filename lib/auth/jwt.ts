/**
 * JWT verification shared by both identity providers: RS256 only, issuer and audience
 * checked, `exp` required, at most 60 s of clock tolerance. Key sets: Stytch's JWKS
 * (lib/auth/stytch_jwks.ts) or the built-in authorization server's own keys.
 */
import type { JWTPayload, JWTVerifyGetKey } from "jose";
import { AppError, InvalidTokenError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { signInUnavailable } from "./unavailable.ts";

/** 401 for a bad token; a member of the error family (lib/errors.ts), re-exported for callers. */
export { InvalidTokenError };

/** A token whose signature and claims are good but whose `exp` has passed (beyond tolerance). */
export class ExpiredTokenError extends InvalidTokenError {
  constructor() {
    super("Token has expired.");
  }
}

export interface JwtRules {
  /** Accepted `iss` values (Stytch uses two forms for one project). */
  issuers: string[];
  /** Required `aud` value (one of the token's audiences), or a list of acceptable ones. */
  audience: string | string[];
  /** Extra check on the verified payload; throw {@linkcode InvalidTokenError} to reject. */
  check?: (payload: JWTPayload) => void;
}

export const CLOCK_TOLERANCE_SECONDS = 60;

/** jose, loaded with the first token to check: start-up does not need it. */
export const jose = lazyImport(() => import("jose"));

type JoseErrors = Awaited<ReturnType<typeof jose>>["errors"];

/** Verifies `token` against `keys` and `rules`, returning its payload or throwing a typed error. */
export async function verifyJwt(
  token: string,
  keys: JWTVerifyGetKey,
  rules: JwtRules,
): Promise<JWTPayload> {
  const { errors, jwtVerify } = await jose();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ["RS256"],
      issuer: rules.issuers,
      audience: rules.audience,
      requiredClaims: ["exp", "sub"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    throw toTokenError(error, errors);
  }
  if (typeof payload.sub !== "string" || payload.sub.length === 0) {
    throw new InvalidTokenError("Token has no subject.");
  }
  rules.check?.(payload);
  return payload;
}

function toTokenError(error: unknown, errors: JoseErrors): AppError {
  if (
    error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid ||
    isNetworkError(error) || isJwksHttpError(error, errors)
  ) {
    return signInUnavailable();
  }
  // jose checks the claims after the signature: an expired token was genuinely signed.
  if (error instanceof errors.JWTExpired) return new ExpiredTokenError();
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new InvalidTokenError(`Token claim "${error.claim}" is not acceptable.`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new InvalidTokenError("Token is signed with an unknown key.");
  }
  if (error instanceof errors.JOSEError) return new InvalidTokenError("Token is not valid.");
  if (error instanceof AppError) return error;
  return new InvalidTokenError("Token is not valid.");
}

/** jose's plain JOSEError for a JWKS answer that is not 200 or not JSON (e.g. a 503). */
function isJwksHttpError(error: unknown, errors: JoseErrors): boolean {
  return error instanceof errors.JOSEError && error.code === "ERR_JOSE_GENERIC" &&
    /JSON Web Key Set HTTP response/.test(error.message);
}

function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof Error && error.name === "AbortError");
}
