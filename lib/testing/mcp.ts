/**
 * Test harness for `/mcp`: the real app over `:memory:` KV whose local identity provider
 * accepts access tokens from a loopback test issuer (real RS256 JWTs, real JWKS fetches),
 * plus MCP SDK clients of both eras wired to `app.fetch` (loaded on the first connect, so tests
 * that post raw JSON-RPC do not load them).
 */
import type { Client, ClientV2 } from "./mcp_sdk.ts";
import { createRemoteJWKSet } from "jose";
import type { AccessGrant } from "../auth/identity.ts";
import { InvalidTokenError, verifyJwt } from "../auth/jwt.ts";
import { createLocalIdentity } from "../auth/local.ts";
import { findOrCreateLocalUser, normalizeEmail } from "../auth/local_sessions.ts";
import { createTestApp, TEST_ORIGIN, type TestApp, type TuningOverrides } from "./app.ts";
import { type SignOptions, startTestIssuer, type TestIssuer } from "./issuer.ts";

export const MCP_URL = `${TEST_ORIGIN}/mcp`;
export const ALL_SCOPES = "read:todos write:todos";

export interface McpTestEnv extends AsyncDisposable {
  app: TestApp;
  issuer: TestIssuer;
  /** Mints an access token for `userId` with `scope` (default both scopes) for `/mcp`. */
  token(userId: string, options?: TokenOptions): Promise<string>;
  /** Connects a v1 SDK client (2025 revisions) to `/mcp` in-process with `token`. */
  connect(token: string): Promise<Client>;
  /**
   * Connects a v2 SDK client: `"auto"` probes with `server/discover` and takes the newest era
   * both sides speak; `"2026-07-28"` pins that revision; `"legacy"` speaks 2025 only.
   */
  connectV2(token: string, mode?: V2Mode): Promise<ClientV2>;
  /** A local user: its id (a token's `sub`) and a session cookie for `/api`. */
  user(email: string): Promise<{ id: string; cookie: string }>;
  /** POSTs JSON-RPC `body` to `/mcp` with the headers MCP clients send. */
  post(token: string | null, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** How a v2 client chooses its protocol era (`versionNegotiation.mode`). */
export type V2Mode = "auto" | "legacy" | "2026-07-28";

export interface TokenOptions {
  scope?: string;
  /** Claims merged over the defaults (`iss`, `aud`, `sub`, `scope`, `client_id`). */
  claims?: Record<string, unknown>;
  sign?: SignOptions;
}

/**
 * The local identity provider (sessions in `kv`) whose MCP access tokens come from the loopback
 * test `issuer`: real RS256 JWTs checked for issuer, audience, expiry and an access token's
 * `scope` claim.
 */
export function issuerIdentity(kv: Deno.Kv, issuer: Pick<TestIssuer, "origin">) {
  const jwks = createRemoteJWKSet(new URL("/.well-known/jwks.json", issuer.origin), {
    timeoutDuration: 1000,
  });
  return createLocalIdentity({
    kv,
    verifyAccessToken: async (token, resource): Promise<AccessGrant> => {
      const payload = await verifyJwt(token, jwks, {
        issuers: [issuer.origin],
        audience: resource,
        check(claims) {
          if (typeof claims.scope !== "string") {
            throw new InvalidTokenError("Token has no scope: not an access token.");
          }
        },
      });
      return {
        userId: payload.sub!,
        scopes: String(payload.scope).split(" ").filter(Boolean),
        clientId: typeof payload.client_id === "string" ? payload.client_id : null,
      };
    },
  });
}

/** Starts the app and the test issuer; `await using` closes both. */
export async function startMcpTestEnv(
  env: Record<string, string> = {},
  tuning?: TuningOverrides,
): Promise<McpTestEnv> {
  const issuer = await startTestIssuer();
  const app = await createTestApp({
    env,
    tuning,
    identity: (_config, kv) => issuerIdentity(kv, issuer),
  });
  const inProcessFetch = (input: string | URL | Request, init?: RequestInit) =>
    Promise.resolve(app.app.fetch(new Request(input, init)));

  return {
    app,
    issuer,
    token(userId, options = {}) {
      return issuer.sign({
        iss: issuer.origin,
        aud: MCP_URL,
        sub: userId,
        scope: options.scope ?? ALL_SCOPES,
        client_id: "test-client",
        ...options.claims,
      }, options.sign);
    },
    async connect(token) {
      const { Client, StreamableHTTPClientTransport } = await import("./mcp_sdk.ts");
      const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
        fetch: inProcessFetch,
      });
      const client = new Client({ name: "todo-test-client", version: "1.0.0" });
      await client.connect(transport);
      return client;
    },
    async connectV2(token, mode = "auto") {
      const { ClientV2, StreamableHTTPClientTransportV2 } = await import("./mcp_sdk.ts");
      const transport = new StreamableHTTPClientTransportV2(new URL(MCP_URL), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
        fetch: inProcessFetch,
      });
      const client = new ClientV2({ name: "todo-test-client-v2", version: "1.0.0" }, {
        versionNegotiation: { mode: mode === "2026-07-28" ? { pin: mode } : mode },
      });
      await client.connect(transport);
      return client;
    },
    async user(email) {
      const { id } = await findOrCreateLocalUser(app.kv, normalizeEmail(email));
      return { id, cookie: await app.signIn(email) };
    },
    post(token, body, headers = {}) {
      return app.request("/mcp", {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    },
    async [Symbol.asyncDispose]() {
      app[Symbol.dispose]();
      await issuer.close();
    },
  };
}

/** Parses a `WWW-Authenticate: Bearer k="v", ...` header into its parameters. */
export function bearerChallenge(response: Response): Record<string, string> {
  const header = response.headers.get("WWW-Authenticate");
  if (!header?.startsWith("Bearer ")) throw new Error(`WWW-Authenticate: ${header}`);
  return Object.fromEntries(
    [...header.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]),
  );
}

/** A JSON-RPC `initialize` request for `protocolVersion`. */
export function initializeRequest(protocolVersion = "2025-11-25", id: number | string = 1) {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  };
}

/** A JSON-RPC `tools/call` request. */
export function toolCall(name: string, args: Record<string, unknown> = {}, id: number = 2) {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } };
}

/** What a client's listen streams delivered: updated URIs and list_changed notices. */
export interface SeenNotifications {
  updated: string[];
  listChanged: number;
}

/** Records the resource notifications `client` receives (2026-07-28 `subscriptions/listen`). */
export function recordNotifications(client: ClientV2): SeenNotifications {
  const seen: SeenNotifications = { updated: [], listChanged: 0 };
  client.setNotificationHandler("notifications/resources/updated", (note) => {
    seen.updated.push(note.params.uri);
  });
  client.setNotificationHandler("notifications/resources/list_changed", () => {
    seen.listChanged++;
  });
  return seen;
}
