/**
 * The changes this process has committed, per user: a todo write or a grant revocation commits
 * through {@linkcode commitNoted}, which notes one after the commit. A value read from KV and kept
 * in memory is trusted only while no change of its user was noted since the read began
 * ({@linkcode isUnchangedSince}), so what this process wrote or revoked shows on its very next
 * request. Changes made by another process on the same KV file are not seen here: a keeper of
 * such values also bounds their age (lib/oauth/tokens.ts).
 */

/** Most users whose last change is remembered; an older note is dropped for a newer one. */
export const MAX_NOTED_USERS = 4096;

interface Notes {
  /** Grows by one with every change noted; a read's ticket is its value when the read began. */
  sequence: number;
  /** Each user's last change (its sequence number), oldest first. */
  byUser: Map<string, number>;
  /** The newest sequence number dropped with its user: a read older than it may have missed it. */
  forgottenUpTo: number;
}

const notes = new WeakMap<Deno.Kv, Notes>();

function notesOf(kv: Deno.Kv): Notes {
  let found = notes.get(kv);
  if (!found) notes.set(kv, found = { sequence: 0, byUser: new Map(), forgottenUpTo: 0 });
  return found;
}

/** Notes that `userId`'s data in `kv` changed (after the commit, whatever its outcome). */
export function noteLocalChange(kv: Deno.Kv, userId: string): void {
  const found = notesOf(kv);
  found.byUser.delete(userId); // the newest goes last
  found.byUser.set(userId, ++found.sequence);
  if (found.byUser.size <= MAX_NOTED_USERS) return;
  const [oldest, sequence] = found.byUser.entries().next().value!;
  found.byUser.delete(oldest);
  found.forgottenUpTo = sequence;
}

/**
 * Commits `op`, which changes `userId`'s data, and notes the change here even when the commit
 * fails or throws (its outcome may be unknown): every write a kept read must not outlive commits
 * through this.
 */
export async function commitNoted(
  kv: Deno.Kv,
  userId: string,
  op: Deno.AtomicOperation,
): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
  try {
    return await op.commit();
  } finally {
    noteLocalChange(kv, userId);
  }
}

/** A ticket for a read about to begin: hand it to {@linkcode isUnchangedSince} later. */
export function readTicket(kv: Deno.Kv): number {
  return notesOf(kv).sequence;
}

/** True when no change of `userId` can have been noted here after `ticket` was taken. */
export function isUnchangedSince(kv: Deno.Kv, userId: string, ticket: number): boolean {
  const found = notesOf(kv);
  if (ticket < found.forgottenUpTo) return false;
  return (found.byUser.get(userId) ?? 0) <= ticket;
}
