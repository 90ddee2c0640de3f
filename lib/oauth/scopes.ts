/** Scope handling: the scopes this server grants are the MCP read and write scopes. */
import { TODO_SCOPES } from "../auth/todo_scopes.ts";
import { OAuthError } from "./errors.ts";

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const MAX_SCOPE_LENGTH = 1000;

/** The scopes this server can grant, read first. */
export function supportedScopes(): string[] {
  return [...TODO_SCOPES];
}

/** Splits a `scope` parameter (RFC 6749 §3.3), or throws `invalid_scope` for a malformed one. */
export function parseScope(value: string | null | undefined): string[] | null {
  if (value === null || value === undefined || value.trim() === "") return null;
  if (value.length > MAX_SCOPE_LENGTH) {
    throw new OAuthError("invalid_scope", `scope must be at most ${MAX_SCOPE_LENGTH} characters.`);
  }
  const scopes = value.split(" ").filter(Boolean);
  const bad = scopes.find((scope) => !SCOPE_TOKEN.test(scope));
  if (bad !== undefined) throw new OAuthError("invalid_scope", "scope has a malformed token.");
  return [...new Set(scopes)];
}

/**
 * The scopes to grant: those requested that this server and the client allow. Unknown ones
 * are ignored (RFC 6749 §3.3 lets the server grant less), but asking only for unknown ones is
 * `invalid_scope`. No request means everything the client may have.
 */
export function grantableScopes(
  requested: string[] | null,
  supported: string[],
  clientScopes: string[] | null,
): string[] {
  const allowed = supported.filter((scope) => !clientScopes || clientScopes.includes(scope));
  if (requested === null) {
    if (allowed.length === 0) {
      throw new OAuthError("invalid_scope", "The client registered no scope this server grants.");
    }
    return allowed;
  }
  const granted = allowed.filter((scope) => requested.includes(scope));
  if (granted.length === 0) {
    throw new OAuthError(
      "invalid_scope",
      `None of the requested scopes can be granted; this server grants: ${allowed.join(" ")}.`,
    );
  }
  return granted;
}
