/**
 * A loopback stand-in for Stytch's token issuer, for tests: it mints RS256 JWTs shaped like
 * Stytch session JWTs and Connected Apps access tokens and serves its JWKS on 127.0.0.1.
 */
import { type JWK, SignJWT } from "jose";
import { takeTestRsaKey } from "./rsa_keys.ts";
import { TEST_PROJECT_ID, TEST_SECRET } from "./stytch_mode.ts";
import { type ConnectedAppsStandIn, createConnectedAppsStandIn } from "./stytch_connected_apps.ts";
import { startStytchApi, type StytchApiStandIn } from "./stytch_api.ts";

export interface TestIssuer {
  /** Origin serving `/.well-known/jwks.json`, e.g. `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** How many times the JWKS has been fetched. */
  readonly jwksFetches: number;
  /** How many times `/.well-known/oauth-authorization-server` has been fetched. */
  readonly metadataFetches: number;
  /** Connected Apps introspection and revocation (lib/testing/stytch_connected_apps.ts). */
  readonly connectedApps: ConnectedAppsStandIn;
  /** Signs `claims` (merged over defaults: `iat`, `nbf`, `exp` one hour out) with the current key. */
  sign(claims: Record<string, unknown>, options?: SignOptions): Promise<string>;
  /** Adds a new current key; the JWKS serves it (and keeps the old one unless `dropOld`). */
  rotate(options?: { dropOld?: boolean }): Promise<void>;
  /** Makes the JWKS, metadata and introspection endpoints answer 503 (`"down"`), hang (`"hang"`) or work again (`"up"`). */
  setMode(mode: "up" | "down" | "hang"): void;
  /** Stytch's sessions API, stood in for over HTTPS (lib/testing/stytch_api.ts). */
  readonly api: StytchApiStandIn;
  close(): Promise<void>;
}

export interface SignOptions {
  /** Override the `kid` header. */
  kid?: string;
  /** Seconds from now: expiry (default 3600) and not-before (default 0). */
  expiresIn?: number;
  notBeforeIn?: number;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function makeKey(): Promise<SigningKey> {
  const { privateKey, publicJwk } = await takeTestRsaKey();
  const kid = `jwk-test-${crypto.randomUUID()}`;
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: "RS256", use: "sig" } };
}

/** Starts a {@linkcode TestIssuer} on a free loopback port. */
export async function startTestIssuer(): Promise<TestIssuer> {
  let keys = [await makeKey()];
  let mode: "up" | "down" | "hang" = "up";
  let jwksFetches = 0;
  let metadataFetches = 0;
  const hanging = new Set<() => void>();
  const connectedApps = createConnectedAppsStandIn(() => keys.map((k) => k.publicJwk), {
    projectId: TEST_PROJECT_ID,
    secret: TEST_SECRET,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const { pathname, origin } = new URL(req.url);
    if (pathname === "/.well-known/oauth-authorization-server") {
      metadataFetches++;
      if (mode !== "up") return new Response("unavailable", { status: 503 });
      return Response.json(authorizationServerMetadata(origin));
    }
    const jwks = pathname === "/.well-known/jwks.json";
    if (!jwks && !connectedApps.handles(req)) return new Response("not found", { status: 404 });
    if (jwks) jwksFetches++;
    if (mode === "down") return new Response("unavailable", { status: 503 });
    if (mode === "hang") {
      await new Promise<void>((resolve) => hanging.add(resolve));
      return new Response("gone", { status: 503 });
    }
    if (!jwks) return await connectedApps.handle(req);
    return Response.json({ keys: keys.map((k) => k.publicJwk) });
  });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const issuer: TestIssuer = {
    origin,
    get jwksFetches() {
      return jwksFetches;
    },
    get metadataFetches() {
      return metadataFetches;
    },
    connectedApps,
    async sign(claims, options = {}) {
      const key = keys[keys.length - 1];
      const now = Math.floor(Date.now() / 1000);
      return await new SignJWT({
        iat: now,
        nbf: now + (options.notBeforeIn ?? 0),
        exp: now + (options.expiresIn ?? 3600),
        ...claims,
      })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: options.kid ?? key.kid })
        .sign(key.privateKey);
    },
    async rotate(options = {}) {
      const next = await makeKey();
      keys = options.dropOld ? [next] : [...keys, next];
    },
    setMode(next) {
      mode = next;
      if (next !== "hang") {
        for (const release of hanging) release();
        hanging.clear();
      }
    },
    api: undefined!,
    async close() {
      for (const release of hanging) release();
      await Promise.all([server.shutdown(), issuer.api.close()]);
    },
  };
  Object.assign(issuer, { api: startStytchApi(issuer) });
  return issuer;
}

/** Metadata shaped like a Stytch project's RFC 8414 document. */
function authorizationServerMetadata(origin: string): Record<string, unknown> {
  return {
    issuer: origin,
    authorization_endpoint: `${origin}/oauth2/authorize`,
    token_endpoint: `${origin}/v1/oauth2/token`,
    registration_endpoint: `${origin}/v1/oauth2/register`,
    jwks_uri: `${origin}/.well-known/jwks.json`,
    response_types_supported: ["code"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
  };
}
