/**
 * A loopback stand-in for Stytch's backend sessions API, for tests (not Stytch: it keeps its
 * sessions in memory and trusts the session JWTs it minted without checking their signature).
 * It serves `POST /v1/sessions/authenticate` and `POST /v1/sessions/revoke` over HTTPS (the
 * `stytch` SDK accepts only https) with a throwaway certificate for 127.0.0.1 whose CA
 * (`lib/testing/tls/ca.pem`, its key discarded) the test process trusts through `DENO_CERT`
 * (`deno task test` sets it). Answers and errors are shaped like Stytch's: basic auth
 * `project_id:secret`, `{status_code, request_id, ...}`, 404 `session_not_found`. Session JWTs
 * are signed by the {@linkcode TestIssuer} whose JWKS the app trusts, with a lifetime tests
 * shorten instead of waiting five minutes.
 */
import type { SignOptions } from "./issuer.ts";
import { sessionClaims, TEST_PROJECT_ID, TEST_SECRET, TEST_USER_ID } from "./stytch_mode.ts";
import { STYTCH_SESSION_CLAIM } from "../auth/stytch_tokens.ts";

/** What the stand-in needs from the issuer: its origin (the JWTs' `iss`) and its signing key. */
export interface SessionSigner {
  readonly origin: string;
  sign(claims: Record<string, unknown>, options?: SignOptions): Promise<string>;
}

/** `up`; `down`: 503 answers; `hang`: no answer until the mode changes; `refused`: no listener. */
export type StytchApiMode = "up" | "down" | "hang" | "refused";

export interface StandInSession {
  sessionId: string;
  sessionToken: string;
  /** A session JWT for it, valid for {@linkcode StytchApiStandIn.jwtLifetimeSeconds} unless said. */
  sessionJwt: string;
}

export interface StytchApiStandIn {
  /** `https://127.0.0.1:PORT`, for `STYTCH_API_URL`. */
  readonly origin: string;
  /** Calls answered (or refused) so far, per endpoint. */
  readonly calls: { authenticate: number; revoke: number };
  /** The `session_duration_minutes` of the last authenticate call, if any. */
  readonly lastDurationMinutes: number | undefined;
  /** Lifetime of the session JWTs it mints, in seconds (Stytch's: 300). */
  jwtLifetimeSeconds: number;
  /** Starts a session for `userId` (default the test user), as a sign-in at Stytch would. */
  startSession(options?: {
    userId?: string;
    email?: string;
    durationMinutes?: number;
    /** Seconds until the first JWT expires (negative: already expired). */
    jwtExpiresIn?: number;
  }): Promise<StandInSession>;
  /** Revokes a session at "Stytch" (as a sign-out elsewhere would). */
  revokeSession(sessionId: string): void;
  /** Whether the session is still live at "Stytch". */
  isLive(sessionId: string): boolean;
  setMode(mode: StytchApiMode): Promise<void>;
  close(): Promise<void>;
}

interface StoredSession {
  id: string;
  token: string;
  userId: string;
  email: string;
  startedAt: number;
  expiresAt: number;
  revoked: boolean;
}

/**
 * The committed loopback certificate (127.0.0.1 and localhost) and its key, signed by the
 * throwaway CA `LOOPBACK_CA_FILE` (its own key discarded), for stand-ins served over https.
 */
export const LOOPBACK_TLS = {
  cert: Deno.readTextFileSync(new URL("./tls/loopback.pem", import.meta.url)),
  key: Deno.readTextFileSync(new URL("./tls/loopback-key.pem", import.meta.url)),
};

/** Absolute path of the CA that signed {@linkcode LOOPBACK_TLS}: the value for `DENO_CERT`. */
export const LOOPBACK_CA_FILE = new URL("./tls/ca.pem", import.meta.url).pathname;

/** Starts the stand-in on a free loopback port, minting JWTs with `signer`. */
export function startStytchApi(signer: SessionSigner): StytchApiStandIn {
  const sessions = new Map<string, StoredSession>();
  const calls = { authenticate: 0, revoke: 0 };
  let lastDurationMinutes: number | undefined;
  let mode: StytchApiMode = "up";
  const hanging = new Set<() => void>();
  const release = () => {
    for (const resolve of hanging) resolve();
    hanging.clear();
  };

  const mint = (session: StoredSession, expiresIn: number) => {
    const now = new Date().toISOString();
    return signer.sign(
      sessionClaims(signer, {
        sub: session.userId,
        [STYTCH_SESSION_CLAIM]: { ...sessionObject(session, now), id: session.id },
      }),
      { expiresIn },
    );
  };
  const find = (body: Record<string, unknown>): StoredSession | undefined => {
    if (typeof body.session_token === "string") {
      return [...sessions.values()].find((s) => s.token === body.session_token);
    }
    if (typeof body.session_id === "string") return sessions.get(body.session_id);
    if (typeof body.session_jwt === "string") return sessions.get(jwtSessionId(body.session_jwt));
    return undefined;
  };
  const live = (session: StoredSession | undefined): session is StoredSession =>
    session !== undefined && !session.revoked && session.expiresAt > Date.now();

  const handle = async (req: Request): Promise<Response> => {
    const { pathname } = new URL(req.url);
    const endpoint = pathname === "/v1/sessions/authenticate"
      ? "authenticate"
      : pathname === "/v1/sessions/revoke"
      ? "revoke"
      : null;
    if (!endpoint || req.method !== "POST") return stytchError(404, "not_found", "Not found.");
    calls[endpoint]++;
    if (mode === "hang") {
      await new Promise<void>((resolve) => hanging.add(resolve));
      return stytchError(503, "internal_server_error", "Gone.");
    }
    if (mode === "down") {
      return stytchError(503, "internal_server_error", "Stytch is having trouble.");
    }
    const expected = `Basic ${btoa(`${TEST_PROJECT_ID}:${TEST_SECRET}`)}`;
    if (req.headers.get("Authorization") !== expected) {
      return stytchError(401, "unauthorized_credentials", "Unauthorized credentials.");
    }
    const body = await req.json().catch(() => ({})) as Record<string, unknown>;
    const session = find(body);
    if (!live(session)) {
      return stytchError(404, "session_not_found", "Session could not be found.");
    }
    if (endpoint === "revoke") {
      session.revoked = true;
      return Response.json({ status_code: 200, request_id: requestId() });
    }
    const minutes = body.session_duration_minutes;
    if (typeof minutes === "number") {
      lastDurationMinutes = minutes;
      session.expiresAt = Date.now() + minutes * 60_000; // sliding, as Stytch does
    }
    const now = new Date().toISOString();
    return Response.json({
      status_code: 200,
      request_id: requestId(),
      session: sessionObject(session, now),
      session_token: session.token,
      session_jwt: await mint(session, standIn.jwtLifetimeSeconds),
      user: userObject(session),
    });
  };

  let server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, ...LOOPBACK_TLS, onListen() {} },
    handle,
  );
  const port = server.addr.port;
  const standIn: StytchApiStandIn = {
    origin: `https://127.0.0.1:${port}`,
    calls,
    get lastDurationMinutes() {
      return lastDurationMinutes;
    },
    jwtLifetimeSeconds: 300,
    async startSession(options = {}) {
      const session: StoredSession = {
        id: `session-test-${crypto.randomUUID()}`,
        token: randomToken(),
        userId: options.userId ?? TEST_USER_ID,
        email: options.email ?? "ada@example.com",
        startedAt: Date.now(),
        expiresAt: Date.now() + (options.durationMinutes ?? 60) * 60_000,
        revoked: false,
      };
      sessions.set(session.id, session);
      const sessionJwt = await mint(session, options.jwtExpiresIn ?? standIn.jwtLifetimeSeconds);
      return { sessionId: session.id, sessionToken: session.token, sessionJwt };
    },
    revokeSession(sessionId) {
      const session = sessions.get(sessionId);
      if (session) session.revoked = true;
    },
    isLive(sessionId) {
      return live(sessions.get(sessionId));
    },
    async setMode(next) {
      if (next !== "hang") release();
      if (next === "refused" && mode !== "refused") await server.shutdown();
      if (next !== "refused" && mode === "refused") {
        server = Deno.serve(
          { hostname: "127.0.0.1", port, ...LOOPBACK_TLS, onListen() {} },
          handle,
        );
      }
      mode = next;
    },
    async close() {
      release();
      if (mode !== "refused") await server.shutdown();
      mode = "refused";
    },
  };
  return standIn;
}

/** Stytch's session object (as in its API answers). */
function sessionObject(session: StoredSession, now: string) {
  return {
    session_id: session.id,
    user_id: session.userId,
    started_at: new Date(session.startedAt).toISOString(),
    last_accessed_at: now,
    expires_at: new Date(session.expiresAt).toISOString(),
    attributes: { ip_address: "", user_agent: "" },
    authentication_factors: [{
      type: "otp",
      delivery_method: "email",
      last_authenticated_at: new Date(session.startedAt).toISOString(),
      email_factor: { email_id: `email-test-${session.userId}`, email_address: session.email },
    }],
    custom_claims: {},
  };
}

/** The parts of Stytch's user object the app could read. */
function userObject(session: StoredSession) {
  return {
    user_id: session.userId,
    status: "active",
    emails: [{ email_id: `email-test-${session.userId}`, email: session.email, verified: true }],
  };
}

/** Stytch's error shape. */
function stytchError(status: number, type: string, message: string): Response {
  return Response.json({
    status_code: status,
    request_id: requestId(),
    error_type: type,
    error_message: message,
    error_url: `https://stytch.com/docs/api/errors/${status}#${type}`,
  }, { status });
}

function requestId(): string {
  return `request-id-test-${crypto.randomUUID()}`;
}

/** 44 url-safe characters, the shape of Stytch's session tokens. */
function randomToken(): string {
  return crypto.getRandomValues(new Uint8Array(33)).toBase64({ alphabet: "base64url" });
}

/** The session id in a session JWT's claim (its signature is not checked here). */
function jwtSessionId(jwt: string): string {
  try {
    const payload = JSON.parse(
      new TextDecoder().decode(Uint8Array.fromBase64(jwt.split(".")[1], { alphabet: "base64url" })),
    );
    return String(payload[STYTCH_SESSION_CLAIM]?.id ?? "");
  } catch {
    return "";
  }
}
