/**
 * The changes this isolate has committed, per user: a todo write or a grant revocation notes
 * one after its commit. A value read from KV and kept in memory is trusted only while no change
 * of its user was noted since the read began ({@linkcode isUnchangedSince}), so what this isolate
 * wrote or revoked shows on its very next request. Changes made by other isolates are not seen
 * here: a keeper of such values also bounds their age (lib/oauth/tokens.ts).
 */

interface Notes {
  /** Grows by one with every change noted; a read's ticket is its value when the read began. */
  sequence: number;
  /** Each user's last change: its sequence number and when it was noted (ms). */
  byUser: Map<string, { sequence: number; at: number }>;
}

/**
 * How long a change stays noted. A keeper must trust a kept value for less than this: once a
 * note is forgotten, a value read before it would look unchanged.
 */
export const LOCAL_CHANGE_MEMORY_MS = 60_000;

const notes = new WeakMap<Deno.Kv, Notes>();

function notesOf(kv: Deno.Kv): Notes {
  let found = notes.get(kv);
  if (!found) notes.set(kv, found = { sequence: 0, byUser: new Map() });
  return found;
}

/** Notes that `userId`'s data in `kv` changed (call it after the commit, whatever its outcome). */
export function noteLocalChange(kv: Deno.Kv, userId: string, now = Date.now()): void {
  const found = notesOf(kv);
  for (const [user, note] of found.byUser) { // oldest first: stop at the first one to keep
    if (now - note.at <= LOCAL_CHANGE_MEMORY_MS) break;
    found.byUser.delete(user);
  }
  found.byUser.delete(userId); // the newest goes last
  found.byUser.set(userId, { sequence: ++found.sequence, at: now });
}

/** A ticket for a read about to begin: hand it to {@linkcode isUnchangedSince} later. */
export function readTicket(kv: Deno.Kv): number {
  return notesOf(kv).sequence;
}

/** True when no change of `userId` was noted in this isolate after `ticket` was taken. */
export function isUnchangedSince(kv: Deno.Kv, userId: string, ticket: number): boolean {
  const note = notesOf(kv).byUser.get(userId);
  return !note || note.sequence <= ticket;
}
