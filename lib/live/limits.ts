/**
 * Slots for open live streams (the events endpoint and MCP `subscriptions/listen`), counted in
 * this isolate. A stream costs no polling, but each holds a connection and a little memory.
 *
 * Fairness: a user's page streams and MCP streams have separate budgets (`maxStreamsPerUser`
 * each), so a connected app cannot take the owner's live sync, and when one budget is full the
 * user's oldest stream of that kind is ended (with a retry hint) to make room: the newest
 * page always goes live. One client address may hold {@linkcode MAX_STREAMS_PER_ADDRESS}
 * streams (an office shares one address) and the isolate `maxStreams`; past those, 429.
 */
import type { LiveConfig } from "../tuning.ts";
import { TooManyRequestsError } from "../errors.ts";

/** Streams one client address may hold open, all users together. */
export const MAX_STREAMS_PER_ADDRESS = 50;

/** Which budget a stream counts against. */
export type StreamKind = "page" | "mcp";

/** What a stream tells its slot when it takes one. */
export interface StreamClaim {
  kind: StreamKind;
  /** The client address (lib/http/client_ip.ts). */
  address: string;
  /**
   * Ends the stream with a retry hint (`retryMs`, or the stream's own for a slow client) when a
   * newer stream of the same user takes its slot, or the server shuts down.
   */
  evict?: (retryMs?: number) => void;
  /** Bytes queued and not yet taken by the server (lib/live/stream_budget.ts), for tests. */
  queuedBytes?: () => number;
}

/** One open stream. */
export interface OpenStream extends StreamClaim {
  userId: string;
  openedAt: number;
}

/** Open-stream counts of one app (one per isolate in production; tests build many apps). */
export interface StreamSlots {
  /** Takes a slot for `userId` or throws a 429; call the returned function once to free it. */
  acquire(userId: string, claim?: StreamClaim): () => void;
  /** Streams open now, in all. */
  readonly open: number;
  /** The open streams, oldest first. */
  streams(): OpenStream[];
  /** Ends every stream that can be ended, asking clients to come back in `retryMs` (shutdown). */
  evictAll(retryMs: number): void;
}

const slotsByKv = new WeakMap<Deno.Kv, StreamSlots>();

/** The slots of the app on `kv`, created with `limits` on first use. */
export function streamSlotsFor(kv: Deno.Kv, limits: LiveConfig): StreamSlots {
  let slots = slotsByKv.get(kv);
  if (!slots) slotsByKv.set(kv, slots = createStreamSlots(limits));
  return slots;
}

const UNKNOWN: StreamClaim = { kind: "page", address: "unknown" };

/** Counts streams per user and kind, per address and in all, against `limits`. */
export function createStreamSlots(limits: LiveConfig): StreamSlots {
  const open = new Set<OpenStream>();
  const count = (pick: (s: OpenStream) => boolean) => [...open].filter(pick).length;
  return {
    acquire(userId, claim = UNKNOWN) {
      const mine = [...open].filter((s) => s.userId === userId && s.kind === claim.kind);
      if (mine.length >= limits.maxStreamsPerUser) {
        const oldest = mine.find((s) => s.evict);
        if (!oldest) {
          throw new TooManyRequestsError(
            `You already have ${limits.maxStreamsPerUser} live streams open; close one and ` +
              "try again.",
            30,
          );
        }
        open.delete(oldest);
        oldest.evict!();
      }
      if (count((s) => s.address === claim.address) >= MAX_STREAMS_PER_ADDRESS) {
        throw new TooManyRequestsError(
          `Your network address already has ${MAX_STREAMS_PER_ADDRESS} live streams open; ` +
            "try again later.",
          30,
        );
      }
      if (open.size >= limits.maxStreams) {
        throw new TooManyRequestsError(
          "This server has as many live streams open as it can hold; try again soon.",
          30,
        );
      }
      const stream: OpenStream = { ...claim, userId, openedAt: Date.now() };
      open.add(stream);
      return () => {
        open.delete(stream);
      };
    },
    get open() {
      return open.size;
    },
    streams: () => [...open],
    evictAll(retryMs) {
      for (const stream of [...open]) {
        if (!stream.evict) continue;
        open.delete(stream);
        stream.evict(retryMs);
      }
    },
  };
}
