/**
 * The app's tuning values: rate limits, caps on live streams, the heartbeat, the built-in OAuth
 * server's key and refresh windows, and the list cache's size. They are constants, not environment
 * variables (docs/operations.md, "Tuning"); tests pass other values through the app's `Config`.
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
/** Most todos one isolate keeps in read lists (about 200 bytes each: some 10 MB at most); 0 keeps none. */
export const LIST_CACHE_TODOS = 50_000;

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
  /** Most todos one isolate keeps in read lists (lib/todos/list_cache.ts). */
  listCacheTodos: number;
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
  listCacheTodos: LIST_CACHE_TODOS,
});
