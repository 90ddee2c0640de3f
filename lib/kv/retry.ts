/**
 * The one retry loop for optimistic Deno KV writes: every read-modify-write reads, builds an
 * atomic operation checked against what it read, and commits; when a concurrent write wins,
 * it starts over, a bounded number of times.
 */
import { WriteConflictError } from "../errors.ts";

/** How many times a read-modify-write runs before it gives up. */
export const MAX_WRITE_ATTEMPTS = 25;

/** What an attempt returns when its commit lost to a concurrent write: run it again. */
export const RETRY: unique symbol = Symbol("retry");

/**
 * Runs `attempt` until it returns a value, or throws {@linkcode WriteConflictError} after
 * {@linkcode MAX_WRITE_ATTEMPTS} runs that each returned {@linkcode RETRY}. Between runs it
 * waits a random 0 to 2^n ms (at most 50 ms), so writers contending for one key spread out.
 * `what` names the contended data in the error ("the todo list").
 */
export async function retryOnConflict<T>(
  what: string,
  attempt: (attemptNumber: number) => Promise<T | typeof RETRY>,
): Promise<T> {
  for (let n = 0; n < MAX_WRITE_ATTEMPTS; n++) {
    const value = await attempt(n);
    if (value !== RETRY) return value;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** n, 50)));
  }
  throw new WriteConflictError(what);
}
