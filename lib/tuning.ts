/**
 * The app's tuning values: rate limits, caps on live streams, the heartbeat, the built-in OAuth
 * server's key and refresh windows, and the byte bounds of the caches. They are constants, not
 * environment variables (docs/operations.md, "Tuning"); tests pass other limits, caps and windows
 * through the app's `Config`, and other cache bounds to the caches themselves.
 */

const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Client registrations (`POST /oauth/register`) one client address may make per minute. */
export const REGISTRATIONS_PER_MINUTE = 20;
/** Client registrations one client address may make per UTC day. */
export const REGISTRATIONS_PER_DAY = 200;
/** Local sign-ins (`POST /login`) one client address may make per minute. */
export const SIGN_INS_PER_MINUTE = 30;
/** Requests parked over sign-in (long authorize requests, signed-out form posts) per address per minute. */
export const PARKED_REQUESTS_PER_MINUTE = 30;
/** Client registrations from everyone together per rolling day (an unused one is forgotten after a day). */
export const MAX_REGISTRATIONS_PER_DAY = 10_000;
/** Live streams one user may hold open per isolate, page streams and MCP listen streams each. */
export const MAX_STREAMS_PER_USER = 10;
/** Live streams of everyone together one isolate holds open. */
export const MAX_STREAMS = 5000;
/** How often a live stream sends a heartbeat and re-checks its session. */
export const HEARTBEAT_MS = 20 * 1000;
/** How long a signing key signs before the next takes over; over a day, so the previous key outlives its tokens. */
export const SIGNING_KEY_ROTATION_MS = 30 * DAY_MS;
/** How long a rotated refresh token may be presented again by a concurrent refresh; 0 turns it off. */
export const REFRESH_REUSE_GRACE_MS = 10 * 1000;
/**
 * Most bytes of kept lists (their JSON length) one isolate holds: in the many-user trace of
 * bench/cache_bounds.ts, 8 MiB answers 74% of reads without listing, 4 MiB 62%, 16 MiB 87%.
 */
export const LIST_CACHE_BYTES = 8 * 1024 * 1024;
/**
 * Most bytes of kept pages (HTML plus its gzip) one app holds: in the same trace, 8 MiB answers
 * 45% of page views without rendering, 4 MiB 36%, 16 MiB 53% (a render costs less than a list read).
 */
export const PAGE_CACHE_BYTES = 8 * 1024 * 1024;
/**
 * Most bytes (key and value as JSON) of verified tokens one cache holds, some 700 tokens with
 * their grant reads: in the many-client trace, 1 MiB skips 96% of verifications (all but a
 * token's first), 512 KiB 91%.
 */
export const TOKEN_CACHE_BYTES = 1024 * 1024;
/**
 * Most bytes of Stytch renewal outcomes one isolate keeps (each about 1.5 KB, kept 5 s): 2 MiB
 * holds every renewal of a 5 s window up to some 250 a second; past that an outcome dropped
 * early costs one more call to Stytch, never a wrong answer.
 */
export const RENEWAL_MEMO_BYTES = 2 * 1024 * 1024;

/** Per-client-address limits on unauthenticated writes, and the cap on stored registrations. */
export interface RateLimitConfig {
  registrationsPerMinute: number;
  registrationsPerDay: number;
  signInsPerMinute: number;
  parkedRequestsPerMinute: number;
  maxRegistrationsPerDay: number;
}

/** Caps and heartbeat of live streams, counted per isolate. */
export interface LiveConfig {
  maxStreamsPerUser: number;
  maxStreams: number;
  heartbeatMs: number;
}

/** Lifetimes of the built-in OAuth server's signing keys and rotated refresh tokens. */
export interface TokenConfig {
  signingKeyRotationMs: number;
  refreshReuseGraceMs: number;
}

/** The tuning part of the app's `Config` (lib/config.ts). */
export interface Tuning {
  /** Limits on unauthenticated writes (lib/http/rate_limit.ts). */
  rateLimits: RateLimitConfig;
  /** Live sync streams (`/api/todos/events`, MCP `subscriptions/listen`; lib/live/). */
  live: LiveConfig;
  /** Key rotation and refresh-token reuse of the built-in OAuth server (local mode). */
  tokens: TokenConfig;
}

/** The tuning the app runs with: the constants above. */
export const TUNING: Readonly<Tuning> = Object.freeze({
  rateLimits: Object.freeze({
    registrationsPerMinute: REGISTRATIONS_PER_MINUTE,
    registrationsPerDay: REGISTRATIONS_PER_DAY,
    signInsPerMinute: SIGN_INS_PER_MINUTE,
    parkedRequestsPerMinute: PARKED_REQUESTS_PER_MINUTE,
    maxRegistrationsPerDay: MAX_REGISTRATIONS_PER_DAY,
  }),
  live: Object.freeze({
    maxStreamsPerUser: MAX_STREAMS_PER_USER,
    maxStreams: MAX_STREAMS,
    heartbeatMs: HEARTBEAT_MS,
  }),
  tokens: Object.freeze({
    signingKeyRotationMs: SIGNING_KEY_ROTATION_MS,
    refreshReuseGraceMs: REFRESH_REUSE_GRACE_MS,
  }),
});
