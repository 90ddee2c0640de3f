/**
 * The server's calls to Stytch's sessions API through the `stytch` SDK (imported on the first
 * call, so start-up never loads it): renew a session whose JWT has expired, and revoke one at
 * sign-out. Renewals are single-flight per isolate: requests that carry the same credential
 * share one call, and its outcome is kept for {@linkcode RENEWAL_MEMO_MS}, so a page's burst of
 * requests with one expired JWT costs one call. Credentials are keyed by their SHA-256 and
 * never logged.
 */
import type { StytchConfig } from "../config.ts";
import { RENEWAL_MEMO_BYTES } from "../tuning.ts";
import type { User } from "./identity.ts";
import { sha256Hex } from "./local_sessions.ts";
import { SESSION_DURATION_MINUTES } from "./stytch_duration.ts";
import { sessionEmail, STYTCH_SESSION_CLAIM } from "./stytch_tokens.ts";

export { SESSION_DURATION_MINUTES };
/** How long one call to Stytch may take before the request gets 503. */
export const STYTCH_API_TIMEOUT_MS = 3000;
/** How long a renewal's outcome is reused for requests carrying the same credential. */
export const RENEWAL_MEMO_MS = 5000;
/** What an outcome is counted as until it settles: about a renewed outcome with its two tokens. */
const UNSETTLED_BYTES = 2048;

/** What the browser presents to renew: the opaque session token, or the (expired) session JWT. */
export type SessionCredential = { session_token: string } | { session_jwt: string };

/** A renewal's outcome: a live session with its new tokens, a session that has ended, or no answer. */
export type Renewal =
  | {
    kind: "renewed";
    user: User;
    sessionToken: string;
    sessionJwt: string;
    /** When the new session JWT expires (ms since the epoch). */
    jwtExpiresAt: number;
    /** When the Stytch session itself ends (ms since the epoch): the cookies' expiry. */
    sessionExpiresAt: number;
  }
  | { kind: "ended" }
  | { kind: "unavailable" };

export interface StytchSessions {
  /** Authenticates `credential` at Stytch, extending the session; never throws. */
  renew(credential: SessionCredential): Promise<Renewal>;
  /** Revokes the session at Stytch; `false` when Stytch could not be reached (never throws). */
  revoke(credential: SessionCredential): Promise<boolean>;
}

export interface StytchSessionsOptions {
  /** Bound on one call (ms); tests shorten it. */
  timeoutMs?: number;
  /** Most bytes of kept outcomes (default `RENEWAL_MEMO_BYTES`); tests shrink it. */
  memoBytes?: number;
  /** How long an outcome is reused (default `RENEWAL_MEMO_MS`); tests shorten it. */
  memoMs?: number;
}

interface Memo {
  outcome: Promise<Renewal>;
  settledAt: number | null;
  /** When a renewed outcome's JWT expires: no longer reused from then on. */
  staleAt: number;
  /** Its key and outcome as JSON, in characters ({@linkcode UNSETTLED_BYTES} until settled). */
  bytes: number;
}

/** Kept outcomes by credential key, oldest first, and their bytes together. */
interface MemoTable {
  entries: Map<string, Memo>;
  bytes: number;
  budget: number;
  /** How long a settled outcome is reused (ms). */
  keepMs: number;
}

/** The sessions API of the project in `config`, at `config.apiUrl`. */
export function createStytchSessions(
  config: Pick<StytchConfig, "projectId" | "secret" | "apiUrl">,
  options: StytchSessionsOptions = {},
): StytchSessions {
  const timeoutMs = options.timeoutMs ?? STYTCH_API_TIMEOUT_MS;
  const memo: MemoTable = {
    entries: new Map(),
    bytes: 0,
    budget: options.memoBytes ?? RENEWAL_MEMO_BYTES,
    keepMs: options.memoMs ?? RENEWAL_MEMO_MS,
  };
  let sdk: Promise<StytchClient> | null = null;
  const client = () =>
    sdk ??= import("stytch").then(({ Client }) =>
      new Client({
        project_id: config.projectId,
        secret: config.secret,
        custom_base_url: config.apiUrl.origin,
      })
    ).catch((error) => {
      sdk = null;
      throw error;
    });

  const call = async (credential: SessionCredential): Promise<Renewal> => {
    try {
      const stytch = await client();
      const answer = await withTimeout(
        stytch.sessions.authenticate({
          ...credential,
          session_duration_minutes: SESSION_DURATION_MINUTES,
        }),
        timeoutMs,
      );
      return renewed(answer);
    } catch (error) {
      return failed("authenticate", error);
    }
  };

  return {
    async renew(credential) {
      const key = await credentialKey(credential);
      const now = Date.now();
      const known = memo.entries.get(key);
      const fresh = known && (known.settledAt === null || now - known.settledAt < memo.keepMs);
      if (fresh && known.staleAt > now) return known.outcome;
      const entry: Memo = {
        outcome: call(credential),
        settledAt: null,
        staleAt: Infinity,
        bytes: UNSETTLED_BYTES,
      };
      entry.outcome.then((renewal) => {
        entry.settledAt = Date.now();
        // A renewal's JWT that has expired since is not handed out again.
        if (renewal.kind === "renewed") entry.staleAt = renewal.jwtExpiresAt;
        resize(memo, key, entry, key.length + JSON.stringify(renewal).length);
      });
      remember(memo, key, entry);
      return entry.outcome;
    },
    async revoke(credential) {
      forget(memo, await credentialKey(credential));
      try {
        const stytch = await client();
        await withTimeout(stytch.sessions.revoke(credential), timeoutMs);
        return true;
      } catch (error) {
        // An ended session needs no revoking; anything else means Stytch was not reached.
        return failed("revoke", error).kind === "ended";
      }
    },
  };
}

type StytchClient = InstanceType<typeof import("stytch").Client>;
type AuthenticateAnswer = Awaited<ReturnType<StytchClient["sessions"]["authenticate"]>>;

/** The renewal from Stytch's answer: the session's user, its new tokens and expiries. */
function renewed(answer: AuthenticateAnswer): Renewal {
  const { session, session_token: sessionToken, session_jwt: sessionJwt } = answer;
  const jwtExpiresAt = jwtExpiry(sessionJwt);
  const sessionExpiresAt = Date.parse(session?.expires_at ?? "");
  if (!session?.user_id || !sessionToken || !jwtExpiresAt || Number.isNaN(sessionExpiresAt)) {
    console.error("stytch: sessions authenticate answered without a session or tokens");
    return { kind: "unavailable" };
  }
  const user = { id: session.user_id, email: sessionEmail({ [STYTCH_SESSION_CLAIM]: session }) };
  return { kind: "renewed", user, sessionToken, sessionJwt, jwtExpiresAt, sessionExpiresAt };
}

/**
 * How a failed call reads. Stytch's own "no such session" answers (404 `session_not_found`,
 * and a 401 or 400 about the presented token) mean the session has ended. A refusal of this
 * server's credentials, a rate limit, a 5xx, a network error or a timeout mean Stytch cannot
 * answer now: never "signed out" for those.
 */
function failed(what: string, error: unknown): Renewal {
  const status = (error as { status_code?: unknown })?.status_code;
  const type = String((error as { error_type?: unknown })?.error_type ?? "");
  if (typeof status === "number") {
    const aboutToken = /session|jwt|token/.test(type) && !/duration|secret|credential/.test(type);
    if (status === 404 || (status === 401 && aboutToken) || (status === 400 && aboutToken)) {
      return { kind: "ended" };
    }
    console.error(`stytch: sessions ${what} answered ${status} ${type.slice(0, 80)}`);
    return { kind: "unavailable" };
  }
  const name = error instanceof Error ? error.name : typeof error;
  console.error(`stytch: sessions ${what} could not reach Stytch (${name})`);
  return { kind: "unavailable" };
}

/** `promise`, or a rejection after `ms`; a late settlement is ignored. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DOMException("Stytch timed out", "TimeoutError")), ms);
  });
  promise.catch(() => {}); // a call that loses the race may fail later, unobserved
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The `exp` of a JWT Stytch just issued (ms), or 0 when it has none. */
function jwtExpiry(jwt: string | undefined): number {
  try {
    const payload = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.fromBase64(jwt!.split(".")[1], { alphabet: "base64url" }),
      ),
    );
    return typeof payload.exp === "number" ? payload.exp * 1000 : 0;
  } catch {
    return 0;
  }
}

async function credentialKey(credential: SessionCredential): Promise<string> {
  return "session_token" in credential
    ? `t:${await sha256Hex(credential.session_token)}`
    : `j:${await sha256Hex(credential.session_jwt)}`;
}

/** Adds `entry`, dropping settled outcomes past their time (then the oldest) beyond the budget. */
function remember(memo: MemoTable, key: string, entry: Memo): void {
  forget(memo, key);
  memo.entries.set(key, entry);
  memo.bytes += entry.bytes;
  if (memo.bytes <= memo.budget) return;
  const now = Date.now();
  for (const [k, v] of memo.entries) {
    if (v.settledAt !== null && now - v.settledAt >= memo.keepMs) forget(memo, k);
  }
  for (const k of memo.entries.keys()) {
    if (memo.bytes <= memo.budget) break;
    forget(memo, k);
  }
}

/** Drops the outcome kept under `key`, if any. */
function forget(memo: MemoTable, key: string): void {
  const known = memo.entries.get(key);
  if (!known) return;
  memo.entries.delete(key);
  memo.bytes -= known.bytes;
}

/** Counts a settled `entry` at its real size, if it is still the one kept under `key`. */
function resize(memo: MemoTable, key: string, entry: Memo, bytes: number): void {
  if (memo.entries.get(key) !== entry) {
    entry.bytes = bytes;
    return;
  }
  memo.bytes += bytes - entry.bytes;
  entry.bytes = bytes;
  for (const k of memo.entries.keys()) {
    if (memo.bytes <= memo.budget || k === key) break;
    forget(memo, k);
  }
}
