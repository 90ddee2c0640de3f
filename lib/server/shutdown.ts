/**
 * Graceful shutdown on SIGTERM or SIGINT: stop accepting, end live streams with a `retry:`
 * hint, let requests in flight finish (at most {@linkcode SHUTDOWN_GRACE_MS}), close the store,
 * exit 0. Every write the app answered was committed to KV before its answer went out.
 */

/** Longest wait for requests in flight once shutdown has begun. */
export const SHUTDOWN_GRACE_MS = 10_000;
/** How soon a browser whose live stream ended at shutdown reconnects (to the restarted app). */
export const SHUTDOWN_RETRY_MS = 2000;

/** What a shutdown does, in order. */
export interface ShutdownSteps {
  stopAccepting(): void;
  endStreams(retryMs: number): void;
  /** Resolves once every request in flight has been answered. */
  drain(): Promise<void>;
  /** Closes what is left (connections still open after the grace period). */
  closeAll(): Promise<void>;
  kv: Deno.Kv;
}

/** Runs `steps` on the first SIGTERM or SIGINT, then exits 0; a second signal exits at once. */
export function shutDownOnSignal(steps: ShutdownSteps): void {
  let started = false;
  const onSignal = async () => {
    if (started) Deno.exit(1);
    started = true;
    steps.stopAccepting();
    steps.endStreams(SHUTDOWN_RETRY_MS);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      steps.drain().catch(() => {}),
      new Promise((resolve) => timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)),
    ]);
    clearTimeout(timer);
    await steps.closeAll().catch(() => {});
    steps.kv.close();
    Deno.exit(0);
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(signal, onSignal);
}
