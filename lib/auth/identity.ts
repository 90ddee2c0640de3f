/**
 * The identity interface: one shape, two providers (built-in local sign-in and Stytch),
 * chosen once at start-up from the configuration.
 */

/** A signed-in person. `id` keys their todos; it is the verified token's `sub`. */
export interface User {
  id: string;
  /** Shown in the page header when known. */
  email: string | null;
}

/** What a verified MCP access token grants. */
export interface AccessGrant {
  /** The user the token acts for (the token's `sub`). */
  userId: string;
  /** OAuth scopes granted, split on spaces. */
  scopes: string[];
  /** The OAuth client the token was issued to, when the token names one. */
  clientId: string | null;
  /** The stored grant (consent chain) the token belongs to, when the provider keeps grants (local). */
  grantId?: string;
}

export interface IdentityProvider {
  readonly kind: "local" | "stytch";
  /**
   * The signed-in user of a browser request, from its session cookie, or `null` when there
   * is none or it is invalid. Throws `ServiceUnavailableError` when it cannot decide
   * (e.g. the JWKS cannot be fetched).
   */
  getSessionUser(req: Request): Promise<User | null>;
  /**
   * When the request's session stops being valid (ms since the epoch), or `null` when it has
   * none; long-lived answers (the live events stream) end then. Stytch: the session JWT's `exp`
   * (minutes away). Local: the stored session's expiry.
   */
  getSessionExpiry?(req: Request): Promise<number | null>;
  /**
   * Verifies an MCP bearer token whose audience must be `resource` (the canonical `/mcp`
   * URL) or, for Stytch, the project. Throws `InvalidTokenError` when it is not acceptable.
   */
  verifyAccessToken(token: string, resource: string): Promise<AccessGrant>;
  /**
   * Whether a grant verified earlier still stands (not revoked, not expired), for answers that
   * outlive the request that verified it (MCP listen streams re-check it). Local: its grant is
   * still in KV (one read). Stytch: no offline introspection, so `true`; the token's `exp`
   * bounds the stream. Absent: treated as `true`.
   */
  isGrantLive?(grant: AccessGrant): Promise<boolean>;
  /** The OAuth authorization server's issuer URL, advertised in protected-resource metadata. */
  authorizationServer(appOrigin: string): string;
  /**
   * RFC 8414 authorization-server metadata served at the app's own
   * `/.well-known/oauth-authorization-server` (for MCP clients on the 2025-03-26 spec):
   * the built-in server's own (local) or Stytch's, relayed and cached (stytch).
   */
  authorizationServerMetadata(appOrigin: string): Promise<Record<string, unknown>>;
}
