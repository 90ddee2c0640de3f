/**
 * The identity interface: one shape, two providers (built-in local sign-in and Stytch),
 * chosen once at start-up (lib/identity_provider.ts). Callers ask a provider what it can do
 * (`formSignIn`, `browserSignIn`, `hostsAuthorizationServer`), never which one it is.
 */
import type { Context } from "hono";

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

/**
 * KV keys a caller wants read in the same snapshot as a token's grant: one `getMany`. A provider
 * that reads no grant from KV leaves `entries` unset. The built-in server keeps that read with
 * the token for up to `GRANT_RECHECK_MS` and reads again once a todo write or a grant revocation
 * of the user is noted (lib/kv/local_changes.ts): keys whose changes are noted otherwise do not
 * belong here.
 */
export interface ReadAlong {
  /** The keys to read for the token's user (at most nine: `getMany` takes ten). */
  keys(userId: string): Deno.KvKey[];
  /** Their entries, in order, set by the provider that read them with the grant. */
  entries?: Deno.KvEntryMaybe<unknown>[];
}

/** How cookies are set for this request: `secure` when the app is served over https. */
export interface CookieOptions {
  secure: boolean;
}

/** What a provider found for a browser request's session. */
export interface Session {
  /** The signed-in user, or `null` when there is none (no cookie, invalid, ended). */
  user: User | null;
  /**
   * When the credential this answer stands on stops being valid (ms since the epoch), or
   * `null` when there is none: long-lived answers (the live events stream) end then. Stytch:
   * the session JWT's `exp` (minutes away). Local: the stored session's expiry.
   */
  expiresAt: number | null;
  /**
   * `Set-Cookie` values the response to this request must carry: a renewed session's new
   * cookies, or the removal of an ended session's. Empty when nothing changes.
   */
  setCookies: readonly string[];
}

/** Sign-in with this app's own email form (`POST /login`), sessions kept by the app. */
export interface FormSignIn {
  /** Signs the person in as the user for `email` and sets the session cookie on `c`. */
  signIn(c: Context, email: unknown, cookie: CookieOptions): Promise<User>;
}

/** Sign-in, consent and sign-out run by a provider's SDK in the browser (Stytch's UI). */
export interface BrowserSignIn {
  /** What the browser may know: the public token and the SDK's base URL, never a secret. */
  readonly publicConfig: { publicToken: string; domain: string };
  /** The origin the SDK calls from the page: pages hosting it allow it in their CSP. */
  readonly sdkOrigin: string;
}

export interface IdentityProvider {
  /** A name for the start-up line ("built-in", "Stytch"); not for branching. */
  readonly label: string;
  /** Present when people sign in with the app's own form (the built-in provider). */
  readonly formSignIn?: FormSignIn;
  /** Present when sign-in and consent happen in the browser through a provider's SDK. */
  readonly browserSignIn?: BrowserSignIn;
  /**
   * True when this app is its own OAuth authorization server: it renders the consent page,
   * serves `/oauth/*` and lists connected apps. Otherwise the provider is the server.
   */
  readonly hostsAuthorizationServer: boolean;
  /**
   * Ends the request's session, at the provider too (Stytch: revoked from the server), and
   * clears its cookies. Never throws for an unreachable provider: the cookies are cleared anyway.
   */
  signOut(c: Context, cookie: CookieOptions): Promise<void>;
  /**
   * The session of a browser request, from its cookies. A provider may renew a session whose
   * short-lived credential expired (Stytch: one call to its sessions API), so the caller must
   * put `setCookies` on its response. Throws `ServiceUnavailableError` when it cannot decide
   * (the provider cannot be reached); never answers "signed out" for that. `cookie` defaults
   * to `secure` when the request's URL is https.
   */
  getSession(req: Request, cookie?: CookieOptions): Promise<Session>;
  /**
   * Verifies an MCP bearer token whose audience must be `resource` (the canonical `/mcp`
   * URL) or, for Stytch, the project. Throws `InvalidTokenError` when it is not acceptable.
   * A provider that reads the grant from KV also reads `along`'s keys in that same read (a
   * read kept for a second at most, and not past a change of the user: {@linkcode ReadAlong}).
   */
  verifyAccessToken(token: string, resource: string, along?: ReadAlong): Promise<AccessGrant>;
  /**
   * Whether a grant verified earlier still stands (not revoked, not expired), for answers that
   * outlive the request that verified it (MCP listen streams re-check it). Local: its grant is
   * still in KV (one read). Stytch: the token's introspection answer, at most a minute old
   * (lib/auth/stytch_introspection.ts). Absent: treated as `true`.
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
