/**
 * The Connected Apps part of the loopback Stytch stand-in (lib/testing/issuer.ts), shaped
 * after Stytch's documented endpoints: RFC 7662 introspection at the project domain
 * (`POST /v1/oauth2/introspect`, form-encoded, authenticated by the connected app's
 * `client_id` and, for a confidential client, its `client_secret`) and the backend API's
 * "Revoke Connected App Access for a User"
 * (`POST /v1/users/{user_id}/connected_apps/{connected_app_id}/revoke`, Basic auth with the
 * project ID and secret), which makes every token issued before it inactive.
 */
import { createLocalJWKSet, type JWK, jwtVerify } from "jose";

/** Introspection path on the project domain. */
export const INTROSPECT_PATH = "/v1/oauth2/introspect";
const REVOKE_PATH = /^\/v1\/users\/([^/]+)\/connected_apps\/([^/]+)\/revoke$/;

export interface ConnectedAppsStandIn {
  /** How many introspection requests were answered (any outcome). */
  readonly introspections: number;
  /** Makes `clientId` confidential: introspecting its tokens then needs `secret` (else 401). */
  makeConfidential(clientId: string, secret: string): void;
  /** True for a request to one of this stand-in's endpoints. */
  handles(req: Request): boolean;
  /** Answers a request that {@linkcode handles} accepted. */
  handle(req: Request): Promise<Response>;
}

/**
 * Builds the stand-in over `publicKeys` (the issuer's current JWKS), accepting `projectId` and
 * `secret` as the backend API's Basic credentials.
 */
export function createConnectedAppsStandIn(
  publicKeys: () => JWK[],
  credentials: { projectId: string; secret: string },
): ConnectedAppsStandIn {
  let introspections = 0;
  /** `${userId} ${clientId}` -> revocation time (s): tokens issued at or before it are inactive. */
  const revokedAt = new Map<string, number>();
  const confidential = new Map<string, string>();

  async function introspect(req: Request): Promise<Response> {
    introspections++;
    const form = new URLSearchParams(await req.text());
    const clientId = form.get("client_id") ?? "";
    const secret = confidential.get(clientId);
    if (!clientId || (secret !== undefined && form.get("client_secret") !== secret)) {
      return Response.json({ error: "invalid_client" }, { status: 401 });
    }
    const claims = await verified(form.get("token") ?? "");
    const revoked = claims && (revokedAt.get(`${claims.sub} ${claims.client_id}`) ?? -1) >=
        (claims.iat as number);
    if (!claims || claims.client_id !== clientId || revoked) {
      return Response.json({ active: false, request_id: requestId(), status_code: 200 });
    }
    return Response.json({
      active: true,
      ...claims,
      token_type: "access_token",
      request_id: requestId(),
      status_code: 200,
    });
  }

  async function verified(token: string) {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: publicKeys() }));
      return typeof payload.client_id === "string" ? payload : null;
    } catch {
      return null;
    }
  }

  function revoke(req: Request, userId: string, clientId: string): Response {
    const expected = `Basic ${btoa(`${credentials.projectId}:${credentials.secret}`)}`;
    if (req.headers.get("Authorization") !== expected) {
      return Response.json({ status_code: 401, error_type: "unauthorized_credentials" }, {
        status: 401,
      });
    }
    revokedAt.set(`${userId} ${clientId}`, Math.floor(Date.now() / 1000));
    return Response.json({ request_id: requestId(), status_code: 200 });
  }

  return {
    get introspections() {
      return introspections;
    },
    makeConfidential(clientId, secret) {
      confidential.set(clientId, secret);
    },
    handles(req) {
      const { pathname } = new URL(req.url);
      return req.method === "POST" && (pathname === INTROSPECT_PATH || REVOKE_PATH.test(pathname));
    },
    async handle(req) {
      const { pathname } = new URL(req.url);
      if (pathname === INTROSPECT_PATH) return await introspect(req);
      const [, userId, clientId] = REVOKE_PATH.exec(pathname)!;
      return revoke(req, decodeURIComponent(userId), decodeURIComponent(clientId));
    },
  };
}

/** Asks the stand-in at `origin`, as Stytch's backend API, to revoke `clientId` for `userId`. */
export async function revokeConnectedApp(
  origin: string,
  credentials: { projectId: string; secret: string },
  userId: string,
  clientId: string,
): Promise<void> {
  const path = `/v1/users/${encodeURIComponent(userId)}/connected_apps/${
    encodeURIComponent(clientId)
  }/revoke`;
  const response = await fetch(new URL(path, origin), {
    method: "POST",
    headers: {
      Authorization: `Basic ${btoa(`${credentials.projectId}:${credentials.secret}`)}`,
      "Content-Type": "application/json",
    },
    body: "{}",
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`revoke answered ${response.status}`);
}

function requestId(): string {
  return `request-id-test-${crypto.randomUUID()}`;
}
