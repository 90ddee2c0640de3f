/**
 * Whether a stopped process left a bulk change under way (./bulk.ts): one read, so that
 * start-up loads the store's write path only when there is something to finish.
 */
import { pendingBulksPrefix } from "./keys.ts";

/** True when at least one bulk change is recorded as under way. */
export async function hasPendingBulks(kv: Deno.Kv): Promise<boolean> {
  for await (const _ of kv.list({ prefix: pendingBulksPrefix }, { limit: 1 })) return true;
  return false;
}
