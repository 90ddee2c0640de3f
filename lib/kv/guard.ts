/**
 * The store's guard: a `Deno.Kv` whose storage faults are thrown as `StorageError` (lib/kv/faults.ts)
 * where they happen, and which never acknowledges a write to a file that is no longer there.
 *
 * SQLite keeps writing to a file that was deleted (or replaced) while it is open: the writes
 * succeed and vanish at the next start. So for a local file the guard remembers the file's
 * identity (device and inode) at start, checks it before every write and on a timer
 * ({@linkcode IDENTITY_CHECK_MS}), and once it changed refuses every write with a 503 that says
 * what to do. Reads go on serving what the open file holds, which is everything acknowledged.
 */
import { StorageError } from "../errors.ts";
import { faultAdvice, logStorageFault, toStorageError } from "./faults.ts";

/** How often the guard checks, between writes, that the KV file is still the one it opened. */
export const IDENTITY_CHECK_MS = 5_000;

/** The methods that write: each runs only while the file is still the one opened. */
const WRITES = new Set<PropertyKey>(["set", "delete", "enqueue"]);
/** The methods whose promise may reject with a storage fault. */
const READS = new Set<PropertyKey>(["get", "getMany"]);

/**
 * `kv` guarded (see the module comment). `path` is the local file it was opened from, or
 * `undefined` (`:memory:`, a remote or the platform's store: no identity to check). Closing
 * the returned handle stops the timer.
 */
export function guardKv(kv: Deno.Kv, path?: string): Deno.Kv {
  const identity = path ? new FileIdentity(path) : null;
  const timer = identity ? setInterval(() => identity.check(), IDENTITY_CHECK_MS) : undefined;
  if (timer !== undefined) Deno.unrefTimer(timer);

  const beforeWrite = () => {
    if (identity && !identity.check()) throw identity.lostError();
  };
  const translate = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      identity?.check();
      throw (identity?.isLost ? identity.lostError() : toStorageError(error, path)) ?? error;
    }
  };

  return new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (WRITES.has(property)) {
        return (...args: unknown[]) =>
          translate(() => {
            beforeWrite();
            return value.apply(target, args);
          });
      }
      if (READS.has(property)) {
        return (...args: unknown[]) => translate(() => value.apply(target, args));
      }
      if (property === "atomic") {
        return () => guardAtomic(target.atomic(), beforeWrite, translate);
      }
      if (property === "close") {
        return () => {
          clearInterval(timer);
          target.close();
        };
      }
      return value.bind(target);
    },
  });
}

/** `op` whose `commit` runs only while the file is the one opened, faults translated. */
function guardAtomic(
  op: Deno.AtomicOperation,
  beforeWrite: () => void,
  translate: <T>(run: () => Promise<T>) => Promise<T>,
): Deno.AtomicOperation {
  const guarded: Deno.AtomicOperation = new Proxy(op, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property === "commit") {
        return () =>
          translate(() => {
            beforeWrite();
            return target.commit();
          });
      }
      // Builder methods return the operation itself: keep handing out the guarded one.
      return (...args: unknown[]) => {
        const result = value.apply(target, args);
        return result === target ? guarded : result;
      };
    },
  });
  return guarded;
}

/** The device and inode of the KV file at start, and whether the path still names them. */
class FileIdentity {
  readonly #path: string;
  readonly #dev: number;
  readonly #ino: number | null;
  #lost = false;

  constructor(path: string) {
    this.#path = path;
    const info = Deno.statSync(path);
    this.#dev = info.dev;
    this.#ino = info.ino;
  }

  get isLost(): boolean {
    return this.#lost;
  }

  /** True while `path` still names the file opened; once it does not, false for good. */
  check(): boolean {
    if (this.#lost) return false;
    try {
      const info = Deno.statSync(this.#path);
      if (info.dev === this.#dev && info.ino === this.#ino) return true;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) return true; // unknown: the write decides
    }
    this.#lost = true;
    logStorageFault(this.lostError());
    return false;
  }

  lostError(): StorageError {
    return new StorageError("lost", faultAdvice("lost", this.#path));
  }
}
