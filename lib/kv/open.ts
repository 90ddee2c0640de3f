/**
 * Opening the store at start-up: a local file is made owner-only (lib/kv/file.ts), opened,
 * and proved readable and writable by one read and one write, so that a corrupt file, a
 * read-only folder or a full disk stops the app at once with one message naming the path,
 * rather than failing request after request. The handle is guarded (lib/kv/guard.ts).
 */
import { type StorageFault } from "../errors.ts";
import { faultAdvice, storageFaultOf } from "./faults.ts";
import { isLocalKvPath, secureKvFile, tightenFiles } from "./file.ts";
import { guardKv } from "./guard.ts";

/** Why the store could not be opened, in words for the operator (no stack needed). */
export class StoreStartError extends Error {
  constructor(message: string, readonly fault: StorageFault | "not_capable" | null) {
    super(message);
    this.name = "StoreStartError";
  }
}

/** The key the start-up check writes (one small value, overwritten at each start). */
export const START_CHECK_KEY: Deno.KvKey = ["store", "last_start"];

/** The store is open: its guarded handle, and the files whose modes were tightened. */
export interface OpenedStore {
  kv: Deno.Kv;
  tightened: string[];
}

/**
 * Opens Deno KV at `path` (a local file, `:memory:`, a URL, or the platform's store when
 * `undefined`), checks it, and guards it; throws {@linkcode StoreStartError} with a message
 * naming `KV_PATH` and what to do when it cannot be used.
 */
export async function openStore(path: string | undefined): Promise<OpenedStore> {
  const local = isLocalKvPath(path);
  let kv: Deno.Kv | undefined;
  try {
    const tightened = local ? await secureKvFile(path) : [];
    kv = await Deno.openKv(path);
    if (local) await tightenFiles(path, tightened);
    await kv.get(START_CHECK_KEY);
    await kv.set(START_CHECK_KEY, Date.now());
    return { kv: guardKv(kv, local ? path : undefined), tightened };
  } catch (error) {
    kv?.close();
    throw startError(await explainOpenFailure(error, local ? path : undefined), path);
  }
}

/**
 * SQLite says only "unable to open database file" when it cannot make its companions in a
 * read-only folder: opening the file for writing says why.
 */
async function explainOpenFailure(error: unknown, path: string | undefined): Promise<unknown> {
  if (!path || storageFaultOf(error) !== "unavailable") return error;
  try {
    (await Deno.open(path, { write: true })).close();
    return error;
  } catch (writeError) {
    return storageFaultOf(writeError) ? writeError : error;
  }
}

/** `error` from opening `path` as a {@linkcode StoreStartError}; unknown errors as they are. */
function startError(error: unknown, path: string | undefined): unknown {
  const name = `KV_PATH=${path ?? "(the platform's store)"}`;
  if (error instanceof Deno.errors.NotCapable) {
    return new StoreStartError(
      `Cannot open ${name}: \`deno task start\` may write only ./data. Put the file ` +
        "under ./data, or run main.ts yourself with --allow-write for its folder.",
      "not_capable",
    );
  }
  const fault = storageFaultOf(error);
  if (!fault) return error;
  return new StoreStartError(`Cannot start: ${faultAdvice(fault, name)}`, fault);
}
