/**
 * Authorization requests too long to survive sign-in. The sign-in page keeps a `returnTo` of
 * at most 2,048 characters (lib/http/return_to.ts), but an authorize URL may be longer (a
 * metadata-document `client_id`, a long `redirect_uri` or `state`). Such a request is parked
 * in KV for ten minutes under a random reference, and sign-in returns to
 * `/oauth/authorize?parked_request=<reference>`, which resumes it with the original query.
 * Anyone signed out can park, so parking is rate limited per client address (a 429 before
 * anything is stored) and every parked request expires.
 */
import { type ClientLimit, enforceRateLimit } from "../http/rate_limit.ts";
import { loginUrl, safeReturnTo } from "../http/return_to.ts";
import { hashSecret, isSecretShaped, newSecret } from "./secrets.ts";
import { getParkedRequest, parkRequest } from "./store/parked_requests.ts";

export const PARKED_REQUEST_PARAM = "parked_request";
export const PARKED_REQUEST_TTL_MS = 10 * 60 * 1000;
/** Longest query parked (a KV value holds 64 KiB). */
const MAX_PARKED_QUERY_LENGTH = 32 * 1024;

/** Thrown for a query too long to park, or a reference that is unknown or expired. */
export class ParkedRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParkedRequestError";
  }
}

/**
 * The sign-in URL that brings the person back to the authorize request `url`: its own path
 * and query when they fit in `returnTo`, else a reference to the request parked in KV, which
 * counts against `limit` (`clientLimit(c, "parking")`; throws `TooManyRequestsError`).
 */
export async function loginUrlForAuthorize(
  kv: Deno.Kv,
  url: URL,
  limit: ClientLimit,
  now = Date.now(),
) {
  const path = url.pathname + url.search;
  if (safeReturnTo(path) === path) return loginUrl(url);
  if (url.search.length > MAX_PARKED_QUERY_LENGTH) {
    throw new ParkedRequestError("The authorization request is too long.");
  }
  await enforceRateLimit(kv, limit, now);
  const reference = newSecret();
  await parkRequest(kv, await hashSecret(reference), {
    query: url.search,
    expiresAt: now + PARKED_REQUEST_TTL_MS,
  }, now);
  const back = new URL(url.pathname, url.origin);
  back.searchParams.set(PARKED_REQUEST_PARAM, reference);
  return loginUrl(back);
}

/**
 * The authorize request's parameters: the URL's own, or, when the URL only names a parked
 * request, that request's.
 */
export async function authorizeParams(
  kv: Deno.Kv,
  url: URL,
  now = Date.now(),
): Promise<URLSearchParams> {
  const params = url.searchParams;
  if (!params.has(PARKED_REQUEST_PARAM)) return params;
  const reference = params.get(PARKED_REQUEST_PARAM);
  const parked = [...params.keys()].length === 1 && isSecretShaped(reference)
    ? await getParkedRequest(kv, await hashSecret(reference), now)
    : null;
  if (!parked) {
    throw new ParkedRequestError(
      "This sign-in link has expired or is not valid. Start connecting again from the app.",
    );
  }
  return new URLSearchParams(parked.query);
}
