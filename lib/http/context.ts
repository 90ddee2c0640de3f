import type { Context } from "hono";
import type { Config } from "../config.ts";
import type { AccessGrant, IdentityProvider, Session, User } from "../auth/identity.ts";

/**
 * The network side of OAuth Client ID Metadata Documents (lib/oauth/client_id_documents.ts),
 * replaceable in tests; production resolves and fetches for real.
 */
export interface DocumentFetcher {
  /** Resolves a host name to its IP addresses. */
  lookup(hostname: string): Promise<string[]>;
  /** GETs `url`, connecting to `address` (checked by the caller) when given. */
  fetch(
    url: URL,
    init: RequestInit & { headers?: Record<string, string> },
    address?: string,
  ): Promise<Response>;
  /** Time limit of one fetch, `FETCH_TIMEOUT_MS` (lib/oauth/client_id_documents.ts) unless set. */
  timeoutMs?: number;
  /**
   * Runs before a document that is not cached is looked up and fetched; what it throws is
   * passed on. The app counts such a fetch as a client registration (see `withBeforeFetch`).
   */
  beforeFetch?(): Promise<void>;
}

/** Long-lived services, built once at start-up and shared by every request. */
export interface Deps {
  config: Config;
  kv: Deno.Kv;
  identity: IdentityProvider;
  /** Fetches OAuth Client ID Metadata Documents (local mode); real DNS and fetch unless set. */
  documentFetcher?: DocumentFetcher;
  /** The time in ms for the token endpoint (tests move it on); `Date.now` when unset. */
  clock?: () => number;
}

/** Hono environment: per-request state, typed once, set by middleware, read by handlers. */
export interface AppEnv {
  /**
   * Per-connection facts main.ts passes as `app.fetch(req, env)`. Absent in in-process tests,
   * hence optional: read them through `clientIp` (lib/http/client_ip.ts).
   */
  Bindings: {
    /** The TCP peer from `Deno.ServeHandlerInfo` (the real client unless behind a proxy). */
    remoteAddr?: Deno.Addr;
  };
  Variables: {
    deps: Deps;
    /**
     * The id the request's unexpected errors are logged under, named in its 500 and its
     * `X-Request-Id`: made when the first is logged (`toAppError`, lib/http/errors.ts).
     */
    requestId?: string;
    /** The app's canonical origin: `PUBLIC_URL`, else the request's own origin. */
    origin: string;
    /** The signed-in user, set by `requireUser` (or by the page layer when signed in). */
    user: User;
    /** The browser session `user` came from, set by `requireUser` (lib/http/session.ts). */
    session: Session;
    /** The verified MCP access token's grant, set by `requireBearer` (lib/mcp/bearer.ts). */
    grant: AccessGrant;
    /**
     * Entries `requireBearer` read with the grant (one snapshot), for the request to use
     * instead of reading them again; empty when the provider reads no grant from KV.
     */
    readWithGrant: readonly Deno.KvEntryMaybe<unknown>[];
    /** Set on bearer-protected routes: what a 401/403 `WWW-Authenticate` challenge names. */
    bearerChallenge: BearerChallenge;
    /**
     * The error mapper of the area serving the request, set by an area mounted in the root app
     * (lib/app.ts's error handler answers with it); unset, errors are answered as JSON.
     */
    answerError: (error: Error, c: Context<AppEnv>) => Response | Promise<Response>;
  };
}

/** Parameters of an RFC 6750 challenge for a protected resource. */
export interface BearerChallenge {
  /** Absolute URL of the resource's RFC 9728 metadata. */
  resourceMetadata: string;
  /** Space-separated scopes a client should ask for. */
  scope: string;
}
