/**
 * Deno KV storage of authorization requests parked while the person signs in
 * (lib/oauth/parked.ts), under the SHA-256 of their reference.
 *
 * ```
 * ["oauth_parked", referenceHash] -> ParkedRequest (authorize query kept over sign-in, 10 min)
 * ```
 */
import { expireIn } from "../../kv/expiry.ts";

/** An authorization request's query, kept while the person signs in. */
export interface ParkedRequest {
  /** The authorize URL's search string, `?` included. */
  query: string;
  expiresAt: number;
}

/** Typed key builder for a parked request, by the hash of its reference. */
const parkedRequestKey = (referenceHash: string): Deno.KvKey => [
  "oauth_parked",
  referenceHash,
];

/** Keeps an authorization request's query under the hash of its reference until it expires. */
export async function parkRequest(
  kv: Deno.Kv,
  referenceHash: string,
  parked: ParkedRequest,
  now: number,
): Promise<void> {
  await kv.set(parkedRequestKey(referenceHash), parked, {
    expireIn: expireIn(parked.expiresAt, now),
  });
}

/** A parked request, or `null` when it is unknown or expired. */
export async function getParkedRequest(
  kv: Deno.Kv,
  referenceHash: string,
  now: number,
): Promise<ParkedRequest | null> {
  const parked = (await kv.get<ParkedRequest>(parkedRequestKey(referenceHash))).value;
  return parked && parked.expiresAt > now ? parked : null;
}
