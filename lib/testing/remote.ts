/** Requests "from" a client address, as `Deno.serve` would report it (see main.ts). */
import type { TestApp } from "./app.ts";
import { TEST_ORIGIN } from "./app.ts";

/** `app.fetch` with `ip` as the TCP peer (the `remoteAddr` main.ts passes on). */
export async function requestFrom(
  test: TestApp,
  ip: string,
  path: string,
  init?: RequestInit,
): Promise<Response> {
  return await test.app.fetch(new Request(new URL(path, TEST_ORIGIN), init), {
    remoteAddr: { transport: "tcp", hostname: ip, port: 50_000 },
  });
}

/**
 * Waits, when needed, until at least `marginMs` remain in the current minute, so requests a
 * test counts against a per-minute limit all fall in one window.
 */
export async function awayFromMinuteBoundary(marginMs = 5_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * The expiry time (ms since the epoch) of the entry whose key contains `keyPart`, read from the
 * SQLite file of a local Deno KV (table `kv`, column `expiration_ms`; -1 for none). Deno KV has
 * no API to read an expiry, and expired entries linger until a sweep, so tests read the file.
 */
export async function storedExpiry(path: string, keyPart: string): Promise<number | null> {
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const needle = new TextEncoder().encode(keyPart);
    for (const row of db.prepare("SELECT k, expiration_ms FROM kv").all()) {
      const key = row.k as Uint8Array;
      if (contains(key, needle)) return Number(row.expiration_ms);
    }
    return null;
  } finally {
    db.close();
  }
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
