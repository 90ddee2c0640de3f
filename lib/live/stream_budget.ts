/**
 * The byte stream of a live response with a hard bound on what waits to be sent. The stream
 * has no buffer of its own (`highWaterMark` 0): the server pulls a chunk when it can send one,
 * so `queued` (bytes enqueued and not yet pulled) is exactly what this stream holds for a slow
 * client. A writer checks `backlogged` to coalesce (send the latest state once the client
 * reads, not every change); a stream past {@linkcode MAX_QUEUED_BYTES}, or one whose client
 * has not read for {@linkcode STALL_MS}, is ended so its memory and slot are freed.
 */

/** Most bytes one live stream may hold unsent; above any whole todo list (~2.3 MB at most). */
export const MAX_QUEUED_BYTES = 3 * 1024 * 1024;
/** A stream whose client takes nothing for this long is ended (it reconnects when it reads). */
export const STALL_MS = 60_000;
/** Reconnect delay a stream ended for a slow or replaced client asks for (the `retry:` field). */
export const SLOW_RETRY_MS = 30_000;

/** A bounded live stream (see the module header). */
export interface BudgetedStream {
  readonly body: ReadableStream<Uint8Array>;
  /** Bytes enqueued and not yet taken by the server. */
  readonly queued: number;
  /** The most bytes ever queued at once (for tests and benchmarks). */
  readonly peak: number;
  /** True while the client has not taken everything written. */
  readonly backlogged: boolean;
  /** Queues `data`; past the bound the stream fails instead (freeing what it held). */
  write(data: string | Uint8Array): void;
  /** Ends the stream after what is queued; `retryMs` adds a `retry:` hint first. */
  end(retryMs?: number): void;
  /** Drops what is queued and fails the stream (the client is not reading). */
  abort(reason: string): void;
  readonly ended: boolean;
}

/** Hooks of a {@linkcode BudgetedStream}. */
export interface BudgetHooks {
  /** Runs first, with the stream. */
  start(stream: BudgetedStream): void;
  /** The client took everything queued: a coalesced update may go out now. */
  drained?(): void;
  /** The stream ended (client gone, `end`, `abort`). */
  ended(): void;
}

/** A live stream bounded to `maxQueued` bytes unsent (default {@linkcode MAX_QUEUED_BYTES}). */
export function createBudgetedStream(
  hooks: BudgetHooks,
  maxQueued = MAX_QUEUED_BYTES,
): BudgetedStream {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  let peak = 0;
  let lastTaken = Date.now();
  const queued = () => Math.max(0, -(controller.desiredSize ?? 0));
  const finish = () => {
    if (ended) return false;
    ended = true;
    clearInterval(stallCheck);
    hooks.ended();
    return true;
  };
  const stallCheck = setInterval(() => {
    if (queued() > 0 && Date.now() - lastTaken > STALL_MS) stream.abort("client not reading");
  }, STALL_MS / 4);
  const stream: BudgetedStream = {
    body: new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      pull() {
        lastTaken = Date.now();
        if (queued() === 0 && !ended) hooks.drained?.();
      },
      cancel() {
        finish();
      },
    }, { highWaterMark: 0, size: (chunk) => chunk.byteLength }),
    get queued() {
      return queued();
    },
    get peak() {
      return peak;
    },
    get backlogged() {
      return queued() > 0;
    },
    get ended() {
      return ended;
    },
    write(data) {
      if (ended) return;
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      if (queued() + bytes.byteLength > maxQueued) return stream.abort("too much unsent");
      controller.enqueue(bytes);
      peak = Math.max(peak, queued());
    },
    end(retryMs) {
      if (ended) return;
      if (retryMs !== undefined) controller.enqueue(encoder.encode(`retry: ${retryMs}\n\n`));
      finish();
      try {
        controller.close();
      } catch {
        // cancelled by the client
      }
    },
    abort(reason) {
      if (!finish()) return;
      controller.error(new Error(`live stream ended: ${reason}`));
    },
  };
  hooks.start(stream);
  return stream;
}
