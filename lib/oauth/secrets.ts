/** Random secrets (codes, refresh tokens, form tokens) and the hashes they are stored under. */
import { sha256Hex } from "../auth/local_sessions.ts";

/** A fresh 256-bit secret, base64url (43 characters). */
export function newSecret(): string {
  return crypto.getRandomValues(new Uint8Array(32))
    .toBase64({ alphabet: "base64url", omitPadding: true });
}

/** The storage key of a secret: its SHA-256, hex. */
export function hashSecret(secret: string): Promise<string> {
  return sha256Hex(secret);
}

/** True for strings shaped like {@linkcode newSecret}'s output (checked before any lookup). */
export function isSecretShaped(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value);
}
