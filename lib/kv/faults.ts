/**
 * Storage faults in plain words: which SQLite failure a Deno KV error is (a full disk, a
 * read-only or corrupt file, a file that cannot be opened, a file another process keeps
 * locked), what the operator should do about it, and one log line per fault rather than a
 * stack trace per request.
 */
import { AppError, StorageError, type StorageFault } from "../errors.ts";

/** How the name of the KV file appears in messages when the path is not known. */
export const KV_PATH_NAME = "KV_PATH";

/** SQLite's messages (as Deno KV passes them on) for each fault, first match wins. */
const FAULT_PATTERNS: [RegExp, StorageFault][] = [
  [/disk is full|no space left|SQLITE_FULL|os error 28\b/i, "full"],
  [/readonly database|read-only file system|SQLITE_READONLY|os error (1|13|30)\b/i, "read_only"],
  [
    /database disk image is malformed|file is not a database|SQLITE_CORRUPT|SQLITE_NOTADB/i,
    "corrupt",
  ],
  [/disk I\/O error|unable to open database|SQLITE_IOERR|SQLITE_CANTOPEN/i, "unavailable"],
  [/database (table )?is locked|SQLITE_BUSY|SQLITE_LOCKED/i, "busy"],
];

/**
 * The storage fault `error` reports, or `null` when it is no storage fault. Only errors from
 * outside the family are read by their message: the family's own (a malformed token, say) are
 * never taken for a storage fault.
 */
export function storageFaultOf(error: unknown): StorageFault | null {
  if (error instanceof StorageError) return error.fault;
  if (!(error instanceof Error) || error instanceof AppError) return null;
  for (const [pattern, fault] of FAULT_PATTERNS) {
    if (pattern.test(error.message)) return fault;
  }
  return null;
}

/** What is wrong with the file at `path`, and what the operator should do, in one sentence. */
export function faultAdvice(fault: StorageFault, path = KV_PATH_NAME): string {
  switch (fault) {
    case "full":
      return `The disk that holds ${path} is full: free space on it (writes work again as ` +
        "soon as there is room).";
    case "read_only":
      return `${path} or its folder is read-only: make both writable by the app's user ` +
        "(check the mount and the file mode), then start the app again.";
    case "corrupt":
      return `${path} is not a readable Deno KV file: move it aside (keep it for recovery), ` +
        "then restore a backup, or start the app again with an empty store.";
    case "lost":
      return `${path} was deleted or replaced while the app ran: writes are refused so none ` +
        "is lost; restore the file from a backup (or accept an empty store) and restart the app.";
    case "unavailable":
      return `${path} cannot be opened or read: check that it and its folder exist and are ` +
        "readable and writable by the app's user, then start the app again.";
    case "busy":
      return `${path} stayed locked by another process: a Deno KV file serves one process, so ` +
        "run one app per file and stop whatever else writes to it (writes work once it lets go).";
  }
}

/** `error` as a {@linkcode StorageError} when it is a storage fault, else `null`. */
export function toStorageError(error: unknown, path?: string): StorageError | null {
  if (error instanceof StorageError) return error;
  const fault = storageFaultOf(error);
  return fault ? new StorageError(fault, faultAdvice(fault, path)) : null;
}

/** Shortest time between two log lines about the same fault. */
export const FAULT_LOG_INTERVAL_MS = 60_000;

const lastLogged = new Map<StorageFault, { at: number; suppressed: number }>();

/**
 * Logs `error` as one line (no stack), at most once per {@linkcode FAULT_LOG_INTERVAL_MS} for
 * each kind of fault; the next line says how many were not logged in between.
 */
export function logStorageFault(error: StorageError, now = Date.now()): void {
  const last = lastLogged.get(error.fault);
  if (last && now - last.at < FAULT_LOG_INTERVAL_MS && now >= last.at) {
    last.suppressed++;
    return;
  }
  const more = last?.suppressed ? ` (${last.suppressed} more since the last line)` : "";
  lastLogged.set(error.fault, { at: now, suppressed: 0 });
  console.error(`Storage fault, requests answer 503: ${error.advice}${more}`);
}

/** Forgets which faults were logged, so the next of each is logged at once (for tests). */
export function forgetLoggedFaults(): void {
  lastLogged.clear();
}
