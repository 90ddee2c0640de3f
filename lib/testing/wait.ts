/** Polling for tests: waits until a condition holds, within a bounded time. */
import assert from "node:assert/strict";

/** Checks `check` every `intervalMs` (100 times at most) and fails with `what` if it never holds. */
export async function waitFor(check: () => boolean, what: string, intervalMs = 50): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  assert.ok(check(), what);
}
