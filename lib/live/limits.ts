/**
 * Caps on open live streams (the events endpoint and MCP `subscriptions/listen` together):
 * per user and in all, counted in this isolate. A stream costs no polling, but each holds a
 * connection and a little memory, so one person's runaway tabs or clients cannot exhaust them.
 */
import type { LiveConfig } from "../config.ts";
import { TooManyRequestsError } from "../errors.ts";

/** Open-stream counts of one app (one per isolate in production; tests build many apps). */
export interface StreamSlots {
  /** Takes a slot for `userId` or throws a 429; call the returned function once to free it. */
  acquire(userId: string): () => void;
  /** Streams open now, in all. */
  readonly open: number;
}

const slotsByKv = new WeakMap<Deno.Kv, StreamSlots>();

/** The slots of the app on `kv`, created with `limits` on first use. */
export function streamSlotsFor(kv: Deno.Kv, limits: LiveConfig): StreamSlots {
  let slots = slotsByKv.get(kv);
  if (!slots) slotsByKv.set(kv, slots = createStreamSlots(limits));
  return slots;
}

/** Counts streams per user and in all against `limits`. */
export function createStreamSlots(limits: LiveConfig): StreamSlots {
  const perUser = new Map<string, number>();
  let open = 0;
  return {
    acquire(userId) {
      const mine = perUser.get(userId) ?? 0;
      if (mine >= limits.maxStreamsPerUser) {
        throw new TooManyRequestsError(
          `You already have ${limits.maxStreamsPerUser} live streams open (pages or MCP ` +
            "listeners); close one and try again.",
          30,
        );
      }
      if (open >= limits.maxStreams) {
        throw new TooManyRequestsError(
          "This server has as many live streams open as it can hold; try again soon.",
          30,
        );
      }
      perUser.set(userId, mine + 1);
      open++;
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        open--;
        const left = (perUser.get(userId) ?? 1) - 1;
        if (left > 0) perUser.set(userId, left);
        else perUser.delete(userId);
      };
    },
    get open() {
      return open;
    },
  };
}
