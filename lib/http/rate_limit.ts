/**
 * Per-client limits on unauthenticated writes (client registration, local sign-in, parked
 * authorization requests and page forms): fixed-window counters in Deno KV, so they hold across Deno Deploy
 * isolates, keyed by the client's address (lib/http/client_ip.ts).
 *
 * ```
 * ["rate_limit", name, subject, windowStart] -> Deno.KvU64 (expires a minute after its window)
 * ```
 *
 * Each count is a versionstamp-checked `set` with `expireIn`, not `atomic().sum()`: a sum
 * mutation takes no `expireIn` and clears the expiry of the key it adds to (Deno 2.9, SQLite
 * backend), so summed counters would never be deleted: one key per address per window forever,
 * the disk growth these limits exist to stop. Concurrent requests of one client retry
 * (lib/kv/retry.ts) and never exceed the limit; one that keeps losing the race gets the
 * retry helper's `WriteConflictError`. Once a window is full, refusals only read.
 *
 * A fixed window lets a client send up to twice its limit across a window boundary; the
 * limits are far above what a person does, so that slack does not matter.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { RateLimitConfig } from "../tuning.ts";
import { TooManyRequestsError } from "../errors.ts";
import { RETRY, retryOnConflict } from "../kv/retry.ts";
import { clientIp, clientNetwork } from "./client_ip.ts";
import type { AppEnv } from "./context.ts";

/** A limit: at most `limit` requests per client per window of `windowMs`. */
export interface RateLimitRule {
  /** Stable name, part of the counters' keys. */
  name: string;
  limit: number;
  windowMs: number;
  /** What is counted, for the refusal message, e.g. "client registrations". */
  what: string;
}

/** The outcome of counting one request. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Requests counted in the current window (this one included when allowed). */
  count: number;
  /** Seconds until the current window ends, at least 1: the `Retry-After` of a refusal. */
  retryAfterSeconds: number;
}

/** The rules of one kind of request, applied to one client. */
export interface ClientLimit {
  /** The client's bucket: its address, or its IPv6 /64 (see `clientNetwork`). */
  subject: string;
  rules: readonly RateLimitRule[];
  /** Whose requests the refusal names: "your address" unless said. */
  source?: string;
}

/** The kinds of request that are limited. */
export type RateLimitName = "registration" | "signIn" | "parking" | "formParking";

/** Typed key builder for the counters. */
export const rateLimitKeys = {
  counter: (name: string, subject: string, windowStart: number): Deno.KvKey => [
    "rate_limit",
    name,
    subject,
    windowStart,
  ],
};

const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Counters outlive their window a little, so isolates whose clocks differ slightly agree. */
const EXPIRY_MARGIN_MS = MINUTE_MS;

/** The configured rules for each kind of limited request. */
export function rateLimitRules(limits: RateLimitConfig): Record<RateLimitName, RateLimitRule[]> {
  return {
    registration: [
      {
        name: "register",
        limit: limits.registrationsPerMinute,
        windowMs: MINUTE_MS,
        what: "client registrations",
      },
      {
        name: "register_day",
        limit: limits.registrationsPerDay,
        windowMs: DAY_MS,
        what: "client registrations today",
      },
    ],
    signIn: [
      { name: "sign_in", limit: limits.signInsPerMinute, windowMs: MINUTE_MS, what: "sign-ins" },
    ],
    parking: [
      {
        name: "park",
        limit: limits.parkedRequestsPerMinute,
        windowMs: MINUTE_MS,
        what: "sign-in requests for long authorization links",
      },
    ],
    formParking: [
      {
        name: "park_form",
        limit: limits.parkedRequestsPerMinute,
        windowMs: MINUTE_MS,
        what: "actions kept while signed out",
      },
    ],
  };
}

/**
 * Counts one request of `subject` against `rule` in the window holding `now`, unless the
 * window is full. Atomic: concurrent calls never let more than `rule.limit` through.
 */
export function consumeRateLimit(
  kv: Deno.Kv,
  rule: RateLimitRule,
  subject: string,
  now = Date.now(),
): Promise<RateLimitDecision> {
  const windowStart = now - (now % rule.windowMs);
  const windowEnd = windowStart + rule.windowMs;
  const retryAfterSeconds = Math.max(1, Math.ceil((windowEnd - now) / 1000));
  const key = rateLimitKeys.counter(rule.name, subject, windowStart);
  return retryOnConflict(`the count of ${rule.what}`, async () => {
    const entry = await kv.get<Deno.KvU64>(key);
    const count = Number(entry.value?.value ?? 0n);
    if (count >= rule.limit) return { allowed: false, count, retryAfterSeconds };
    const result = await kv.atomic()
      .check(entry)
      .set(key, new Deno.KvU64(BigInt(count + 1)), {
        expireIn: windowEnd - now + EXPIRY_MARGIN_MS,
      })
      .commit();
    return result.ok ? { allowed: true, count: count + 1, retryAfterSeconds } : RETRY;
  });
}

/**
 * Counts one request against each of `limit`'s rules in turn; throws a
 * {@linkcode TooManyRequestsError} at the first that refuses (later rules are not counted).
 */
export async function enforceRateLimit(
  kv: Deno.Kv,
  limit: ClientLimit,
  now = Date.now(),
): Promise<void> {
  for (const rule of limit.rules) {
    const decision = await consumeRateLimit(kv, rule, limit.subject, now);
    if (!decision.allowed) {
      throw new TooManyRequestsError(
        `Too many ${rule.what} from ${limit.source ?? "your address"}. Try again in ${
          describeWait(decision.retryAfterSeconds)
        }.`,
        decision.retryAfterSeconds,
      );
    }
  }
}

/** The configured `name` rules applied to the client of request `c`. */
export function clientLimit(c: Context<AppEnv>, name: RateLimitName): ClientLimit {
  return {
    subject: clientNetwork(clientIp(c)),
    rules: rateLimitRules(c.var.deps.config.rateLimits)[name],
  };
}

/** Middleware that answers 429 (with `Retry-After`) once the client exceeds the `name` limits. */
export function rateLimit(name: RateLimitName) {
  return createMiddleware<AppEnv>(async (c, next) => {
    await enforceRateLimit(c.var.deps.kv, clientLimit(c, name));
    await next();
  });
}

function describeWait(seconds: number): string {
  if (seconds < 120) return seconds === 1 ? "a second" : `${seconds} seconds`;
  if (seconds < 2 * 3600) return `${Math.ceil(seconds / 60)} minutes`;
  return `${Math.ceil(seconds / 3600)} hours`;
}
