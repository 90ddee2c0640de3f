/**
 * The Stytch project's signing keys (`<domain>/.well-known/jwks.json`), fetched on first use and
 * kept per isolate. A token naming a key this isolate does not know is not refused at once: Stytch
 * may have just rotated. The rule:
 *
 * - keys fetched after the token was issued (its `iat`, plus the clock tolerance for Stytch's
 *   clock running behind ours) already show every key that could have signed it, so the token
 *   is refused (401);
 * - otherwise the request waits for one refetch, shared by every request that needs it, and at
 *   most one refetch starts per {@linkcode JWKS_REFETCH_INTERVAL_MS}; a token still unknown after
 *   it is refused.
 *
 * So a valid user is never refused for a rotation, and tokens with made-up key ids (their `iat`
 * is unverified and may say anything) cause at most one fetch per interval. Keys that cannot be
 * fetched answer 503 (`signInUnavailable`); known keys keep working while a periodic refetch fails.
 */
import type { JWK, JWTVerifyGetKey } from "jose";
import { InvalidTokenError } from "../errors.ts";
import { CLOCK_TOLERANCE_SECONDS, jose } from "./jwt.ts";
import { signInUnavailable } from "./unavailable.ts";

/** How long one JWKS fetch may take before the request gets 503. */
export const JWKS_TIMEOUT_MS = 3000;
/** At most one refetch starts per this period (unknown key ids, or refreshes after an error). */
export const JWKS_REFETCH_INTERVAL_MS = 3000;
/** Keys are refetched (in the background) after this age even when every key id is known. */
export const JWKS_MAX_AGE_MS = 10 * 60_000;

export interface KeySetOptions {
  /** Bound on one fetch (ms); tests shorten it. */
  timeoutMs?: number;
  /** Least time between two refetches (ms); tests shorten it. */
  refetchIntervalMs?: number;
}

/** A jose key resolver over the JWKS at `url`, with the refetch rule above. */
export function createStytchKeySet(url: URL, options: KeySetOptions = {}): JWTVerifyGetKey {
  const timeoutMs = options.timeoutMs ?? JWKS_TIMEOUT_MS;
  const intervalMs = options.refetchIntervalMs ?? JWKS_REFETCH_INTERVAL_MS;
  let keys: Map<string, JWK> | null = null;
  const imported = new Map<string, Promise<CryptoKey | Uint8Array>>();
  /** When the fetch that produced `keys` started (ms); keys served then include older ones. */
  let fetchedAt = 0;
  let lastAttemptAt = -Infinity;
  let inflight: Promise<void> | null = null;
  let scheduled: Promise<void> | null = null;

  const refresh = (): Promise<void> => {
    inflight ??= (async () => {
      const startedAt = lastAttemptAt = Date.now();
      try {
        keys = await fetchKeys(url, timeoutMs);
        imported.clear();
        fetchedAt = startedAt;
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  };
  /** The next refetch allowed by the interval, shared by every request waiting for it. */
  const refreshSoon = (): Promise<void> => {
    if (inflight) return inflight;
    const wait = lastAttemptAt + intervalMs - Date.now();
    if (wait <= 0) return refresh();
    scheduled ??= new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => {
      scheduled = null;
      return refresh();
    });
    return scheduled;
  };
  const keyFor = (kid: string): Promise<CryptoKey | Uint8Array> | undefined => {
    const jwk = keys?.get(kid);
    if (!jwk) return undefined;
    let key = imported.get(kid);
    if (!key) imported.set(kid, key = jose().then(({ importJWK }) => importJWK(jwk, "RS256")));
    return key;
  };

  return async (header, token) => {
    const kid = header.kid ?? "";
    if (!keys) await refresh().catch(unavailable);
    else if (Date.now() - fetchedAt > JWKS_MAX_AGE_MS && Date.now() - lastAttemptAt > intervalMs) {
      refresh().catch(() => {}); // stale keys keep working while the refresh runs or fails
    }
    const known = keyFor(kid);
    if (known) return await known;
    const issuedAt = issuedAtMs(token.payload);
    if (issuedAt !== null && issuedAt < fetchedAt) throw unknownKey();
    await refreshSoon().catch(unavailable);
    const fresh = keyFor(kid);
    if (fresh) return await fresh;
    throw unknownKey();
  };
}

/** The JWKS as a map from key id to RSA signing key; anything unusable throws. */
async function fetchKeys(url: URL, timeoutMs: number): Promise<Map<string, JWK>> {
  const res = await fetch(url, {
    headers: { Accept: "application/json" },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`JWKS answered ${res.status}`);
  }
  const body = await res.json() as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error("JWKS has no keys");
  const keys = new Map<string, JWK>();
  for (const jwk of body.keys as JWK[]) {
    if (jwk?.kty === "RSA" && typeof jwk.kid === "string" && (jwk.use ?? "sig") === "sig") {
      keys.set(jwk.kid, jwk);
    }
  }
  return keys;
}

/** The unverified `iat` of a compact JWT's payload, in ms, plus the clock tolerance. */
function issuedAtMs(payload: string | Uint8Array): number | null {
  try {
    const text = typeof payload === "string"
      ? new TextDecoder().decode(Uint8Array.fromBase64(payload, { alphabet: "base64url" }))
      : new TextDecoder().decode(payload);
    const { iat } = JSON.parse(text);
    return typeof iat === "number" ? (iat + CLOCK_TOLERANCE_SECONDS) * 1000 : null;
  } catch {
    return null;
  }
}

function unknownKey(): InvalidTokenError {
  return new InvalidTokenError("Token is signed with an unknown key.");
}

function unavailable(): never {
  throw signInUnavailable();
}
