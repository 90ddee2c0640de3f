/**
 * Whether a Connected Apps access token still stands at Stytch, for a resource server that
 * otherwise verifies it locally. A person can revoke a connected app at Stytch ("Revoke
 * Connected App Access for a User" revokes every active token created on their behalf), and
 * a signature check cannot see that: this module asks Stytch's RFC 7662 introspection
 * endpoint (`POST <project domain>/v1/oauth2/introspect`) and remembers each answer for
 * {@linkcode INTROSPECTION_INTERVAL_MS}, so a revocation is heard within that bound.
 *
 * Stytch authenticates that endpoint with the connected app's own credentials: the token's
 * `client_id` suffices for public clients (what dynamic registration gives an MCP client that
 * asks for no secret). For a confidential client this server holds no secret; Stytch then
 * refuses to answer, and that client's tokens are checked by signature and expiry only
 * (logged once per client).
 */
import { ServiceUnavailableError } from "../errors.ts";
import type { AccessGrant } from "./identity.ts";
import { InvalidTokenError } from "./jwt.ts";
import { VerifiedTokenCache } from "./token_cache.ts";

/** How long Stytch's answer about one token is trusted before it is asked again. */
export const INTROSPECTION_INTERVAL_MS = 60_000;
/**
 * While Stytch cannot answer, a token it last called active keeps working this long after
 * that answer; then requests carrying it get 503 until Stytch answers again.
 */
export const INTROSPECTION_STALE_MAX_MS = 5 * 60_000;
/** After a failed attempt, Stytch is not asked again about that token for this long. */
export const INTROSPECTION_RETRY_MS = 5_000;
/** How long one introspection request may take. */
export const INTROSPECTION_TIMEOUT_MS = 3_000;

/** What Stytch said about a token: live, revoked (or otherwise inactive), or nothing it would tell. */
export type TokenStatus = "active" | "inactive" | "unverifiable";

export interface IntrospectionOptions {
  /** Bound on one introspection request (ms); tests shorten it. */
  timeoutMs?: number;
  /** How long an answer is trusted (ms); tests shorten it. */
  introspectionIntervalMs?: number;
  /** How long a last "active" answer outlives Stytch being unreachable (ms); tests shorten it. */
  introspectionStaleMaxMs?: number;
}

interface Answer {
  status: TokenStatus;
  checkedAt: number;
  /** When the latest attempt failed (Stytch unreachable), if after `checkedAt`. */
  failedAt: number | null;
}

/** Thrown by one attempt when Stytch gave no usable answer (network, timeout, 5xx, 429, 404). */
class Unreachable extends Error {}

/** The endpoint a project's tokens are introspected at (its project or custom domain). */
export function introspectionUrl(domain: URL): URL {
  return new URL("/v1/oauth2/introspect", domain);
}

/**
 * Connected Apps tokens checked with Stytch: `confirm` after local verification (throws
 * `InvalidTokenError` for a revoked token, `ServiceUnavailableError` when Stytch cannot say),
 * and `isGrantLive` for answers that outlive their request (MCP listen streams).
 */
export function createConnectedAppsCheck(
  domain: URL,
  options: IntrospectionOptions = {},
) {
  const status = createTokenIntrospection(domain, options);
  // The token behind each grant handed out, so a later liveness check can ask about it.
  const tokens = new WeakMap<AccessGrant, string>();
  return {
    async confirm(token: string, grant: AccessGrant): Promise<AccessGrant> {
      if ((await status(token, grant.clientId ?? "")) === "inactive") {
        throw new InvalidTokenError("The access token has been revoked.");
      }
      tokens.set(grant, token);
      return grant;
    },
    async isGrantLive(grant: AccessGrant): Promise<boolean> {
      const token = tokens.get(grant);
      if (token === undefined) return false; // not a grant this check confirmed
      return (await status(token, grant.clientId ?? "")) !== "inactive";
    },
  };
}

/**
 * `status(token, clientId)`: Stytch's answer about `token`, asked at most once per interval
 * and token, one request in flight per token (concurrent callers share it).
 */
export function createTokenIntrospection(domain: URL, options: IntrospectionOptions = {}) {
  const url = introspectionUrl(domain);
  const timeoutMs = options.timeoutMs ?? INTROSPECTION_TIMEOUT_MS;
  const intervalMs = options.introspectionIntervalMs ?? INTROSPECTION_INTERVAL_MS;
  const staleMaxMs = options.introspectionStaleMaxMs ?? INTROSPECTION_STALE_MAX_MS;
  const answers = new VerifiedTokenCache<Answer>();
  const inFlight = new Map<string, Promise<TokenStatus>>();
  const warned = new Set<string>();

  const refresh = async (token: string, clientId: string, known: Answer | undefined) => {
    try {
      const status = await introspect(url, token, clientId, timeoutMs);
      if (status === "unverifiable" && !warned.has(clientId)) {
        warned.add(clientId);
        console.warn(
          `Stytch would not introspect tokens of the connected app ${clientId} (a confidential ` +
            "client); its tokens are checked by signature and expiry only.",
        );
      }
      const now = Date.now();
      answers.set(token, { status, checkedAt: now, failedAt: null }, now + staleMaxMs);
      return status;
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      const now = Date.now();
      if (known && known.status !== "inactive" && now - known.checkedAt < staleMaxMs) {
        known.failedAt = now;
        return known.status; // the last good answer, for a bounded time
      }
      throw new ServiceUnavailableError(
        "Stytch could not confirm the access token just now; try again shortly.",
        Math.ceil(INTROSPECTION_RETRY_MS / 1000),
      );
    }
  };

  return (token: string, clientId: string): Promise<TokenStatus> => {
    const now = Date.now();
    const known = answers.get(token, now);
    if (known) {
      if (known.status === "inactive" || now - known.checkedAt < intervalMs) {
        return Promise.resolve(known.status);
      }
      if (known.failedAt !== null && now - known.failedAt < INTROSPECTION_RETRY_MS) {
        if (now - known.checkedAt < staleMaxMs) return Promise.resolve(known.status);
      }
    }
    let pending = inFlight.get(token);
    if (!pending) {
      pending = refresh(token, clientId, known).finally(() => inFlight.delete(token));
      inFlight.set(token, pending);
    }
    return pending;
  };
}

/**
 * One RFC 7662 request. 200 with `active` is an answer; 400, 401 and 403 mean Stytch would
 * not authenticate this client without its secret ("unverifiable"); anything else, including
 * no answer within `timeoutMs`, is {@linkcode Unreachable}.
 */
async function introspect(
  url: URL,
  token: string,
  clientId: string,
  timeoutMs: number,
): Promise<TokenStatus> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({ token, client_id: clientId, token_type_hint: "access_token" }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new Unreachable();
  }
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    return "unverifiable";
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Unreachable();
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new Unreachable();
  }
  const active = (body as { active?: unknown } | null)?.active;
  if (typeof active !== "boolean") throw new Unreachable();
  return active ? "active" : "inactive";
}
