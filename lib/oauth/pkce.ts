/** PKCE (RFC 7636), S256 only: OAuth 2.1 drops `plain`. */
import { OAuthError } from "./errors.ts";

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Checks the authorization request's PKCE parameters; returns the challenge. */
export function requireS256Challenge(
  challenge: string | null | undefined,
  method: string | null | undefined,
): string {
  if (!challenge) {
    throw new OAuthError("invalid_request", "code_challenge is required (PKCE S256).");
  }
  if (method !== "S256") {
    throw new OAuthError(
      "invalid_request",
      method
        ? `code_challenge_method "${method}" is not supported; use S256.`
        : "code_challenge_method must be S256.",
    );
  }
  if (!CHALLENGE.test(challenge)) {
    throw new OAuthError(
      "invalid_request",
      "code_challenge must be a base64url SHA-256 (43 characters).",
    );
  }
  return challenge;
}

/** True for a verifier of 43 to 128 unreserved characters (RFC 7636 §4.1). */
export function isWellFormedVerifier(verifier: string): boolean {
  return VERIFIER.test(verifier);
}

/** The S256 challenge of a verifier: base64url(SHA-256(verifier)). */
export async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return new Uint8Array(digest).toBase64({ alphabet: "base64url", omitPadding: true });
}

/** Constant-time string comparison. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
