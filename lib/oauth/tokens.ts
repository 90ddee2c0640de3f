/**
 * Access tokens: RS256 JWTs shaped like Stytch Connected Apps tokens (`iss`, `sub`, `aud`,
 * `scope`, `client_id`, `exp`, `iat`, `nbf`, `jti`) plus `grant_id`, typed `at+jwt`
 * (RFC 9068). The audience is the resource the client asked for (RFC 8707).
 */
import { decodeProtectedHeader, SignJWT } from "jose";
import type { AccessGrant, ReadAlong } from "../auth/identity.ts";
import { InvalidTokenError, verifyJwt } from "../auth/jwt.ts";
import { cachedUntil, VerifiedTokenCache } from "../auth/token_cache.ts";
import {
  currentSigningKey,
  freshKeyIds,
  type RotationPolicy,
  verificationKeys,
} from "./key_rotation.ts";
import { isUnchangedSince, readTicket } from "../kv/local_changes.ts";
import { getGrant, getGrantAlong, liveGrant, type StoredGrant } from "./store/grants.ts";

export const ACCESS_TOKEN_TTL_SECONDS = 60 * 60;
/**
 * How far before its issue time a token is valid (`nbf`): an isolate whose clock is behind the
 * issuer's, or a clock stepped back after issue, must not refuse a token just issued. Beyond
 * the verifier's own tolerance (`CLOCK_TOLERANCE_SECONDS`, lib/auth/jwt.ts).
 */
export const NOT_BEFORE_SKEW_SECONDS = 5 * 60;
const ACCESS_TOKEN_TYPE = "at+jwt";

/** The signing key rotation for keys that rotate every `rotateAfterMs` (config `tokens`). */
export function signingKeyPolicy(rotateAfterMs: number): RotationPolicy {
  return { rotateAfterMs, tokenLifetimeMs: ACCESS_TOKEN_TTL_SECONDS * 1000 };
}

export interface AccessTokenClaims {
  issuer: string;
  userId: string;
  clientId: string;
  scopes: string[];
  resource: string;
  grantId: string;
}

/**
 * Signs an access token for `claims`, valid for about an hour from `now`, with the current
 * key (rotated first when it is older than `keyRotationMs`).
 */
export async function issueAccessToken(
  kv: Deno.Kv,
  claims: AccessTokenClaims,
  options: { keyRotationMs: number; now?: number },
): Promise<string> {
  const now = options.now ?? Date.now();
  const key = await currentSigningKey(kv, signingKeyPolicy(options.keyRotationMs), now);
  const seconds = Math.floor(now / 1000);
  return await new SignJWT({
    scope: claims.scopes.join(" "),
    client_id: claims.clientId,
    grant_id: claims.grantId,
  })
    .setProtectedHeader({ alg: "RS256", typ: ACCESS_TOKEN_TYPE, kid: key.kid })
    .setIssuer(claims.issuer)
    .setSubject(claims.userId)
    .setAudience(claims.resource)
    .setIssuedAt(seconds)
    .setNotBefore(seconds - NOT_BEFORE_SKEW_SECONDS)
    .setExpirationTime(seconds + ACCESS_TOKEN_TTL_SECONDS)
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
}

/**
 * How long a token's calls are answered from the last read of its grant (and of the keys read
 * along with it, the user's list marker) before reading them again. A revocation or a todo
 * write made in this process shows on the next call (lib/kv/local_changes.ts). The built-in
 * server runs in local mode only (Deno Deploy requires Stytch), one process per KV file, so only
 * a change made by another process on the same file waits for this time (RFC 7009 §2.2 allows
 * such a window and asks that it be short). It saves a KV read on almost every call.
 */
export const GRANT_RECHECK_MS = 1000;

/** A token's grant as read from KV with the keys read along, kept {@linkcode GRANT_RECHECK_MS}. */
interface GrantRead {
  grant: StoredGrant;
  keys: Deno.KvKey[];
  along: Deno.KvEntryMaybe<unknown>[];
  /** lib/kv/local_changes.ts's ticket taken before the read. */
  ticket: number;
  at: number;
}

/** What a verified access token carries (frozen: shared by the calls that send the token). */
export interface VerifiedAccess {
  grant: Readonly<AccessGrant & { clientId: string; grantId: string }>;
  /** The key that signed it: trusted from memory only while that key still verifies. */
  kid: string;
  /** When the token stops being trusted from memory (its `exp`, ms). */
  until: number;
  /** The last live read of its grant. */
  read?: GrantRead;
}

/**
 * Verified tokens per KV handle. An entry is used only while the key that signed it is in the key
 * set (re-read at least every `KEY_REFRESH_MS`, lib/oauth/key_rotation.ts), so a key dropped from
 * KV ends the trust in the tokens it signed as soon as it stops verifying new ones; reading the
 * keys again does not empty the cache.
 */
const verified = new WeakMap<Deno.Kv, VerifiedTokenCache<VerifiedAccess>>();

/**
 * Verifies an access token from this server for `resource` (the canonical `/mcp` URL, whose
 * origin is the issuer). Tokens of other types (no `at+jwt` header, no client or grant) are
 * refused, and so are tokens whose grant was revoked since they were issued. The header,
 * signature and claims of a token are checked once per isolate (then remembered until its
 * `exp`, while its key verifies); its grant is read from KV (with `along`'s keys, in the same
 * `getMany`) unless read within {@linkcode GRANT_RECHECK_MS} and unchanged in this isolate since.
 * A remembered token that needs no read is answered without waiting on anything.
 */
export function verifyLocalAccessToken(
  kv: Deno.Kv,
  token: string,
  resource: string,
  now = Date.now(),
  along?: ReadAlong,
): Promise<AccessGrant> {
  let cache = verified.get(kv);
  if (!cache) verified.set(kv, cache = new VerifiedTokenCache());
  const cacheKey = `${resource} ${token}`;
  const access = cache.get(cacheKey, now);
  // The keys to read along depend on the token's user only, which a token never changes.
  const keys = access && (along?.keys(access.grant.userId) ?? []);
  if (
    access && keys && freshKeyIds(kv, now)?.includes(access.kid) &&
    keptGrantStands(kv, access, keys, now)
  ) {
    return Promise.resolve(answer(access, keys, along));
  }
  return verifyAndRead(kv, cache, cacheKey, access, token, resource, now, along, keys);
}

/** {@linkcode verifyLocalAccessToken} for a token that is not remembered or needs a read. */
async function verifyAndRead(
  kv: Deno.Kv,
  cache: VerifiedTokenCache<VerifiedAccess>,
  cacheKey: string,
  remembered: VerifiedAccess | undefined,
  token: string,
  resource: string,
  now: number,
  along: ReadAlong | undefined,
  keysAlong: Deno.KvKey[] | undefined,
): Promise<AccessGrant> {
  let access = remembered;
  // A remembered token passed the header checks: its own `kid` asks for the key set.
  if (access && !(await verificationKeys(kv, access.kid, now)).kids.includes(access.kid)) {
    cache.delete(cacheKey);
    access = undefined;
  }
  if (!access) access = await verifyNew(kv, token, resource, now);
  const { grantId, clientId, userId } = access.grant;
  const keys = keysAlong ?? along?.keys(userId) ?? [];
  if (!keptGrantStands(kv, access, keys, now)) {
    const ticket = readTicket(kv);
    const fresh = await getGrantAlong(kv, userId, clientId, grantId, now, keys);
    if (!fresh.grant) {
      cache.delete(cacheKey);
      throw new InvalidTokenError("Token has been revoked.");
    }
    const read = { grant: fresh.grant, keys, along: fresh.along, ticket, at: now };
    cache.set(cacheKey, access = { ...access, read }, access.until);
  }
  return answer(access, keys, along);
}

/**
 * True when `access`'s kept grant read stands in for reading the grant again at `now`: recent
 * (see {@linkcode isRecent}) and the grant in it still live. Otherwise the grant is read.
 */
function keptGrantStands(
  kv: Deno.Kv,
  access: VerifiedAccess,
  keys: Deno.KvKey[],
  now: number,
): boolean {
  const { read } = access;
  return read !== undefined && isRecent(kv, read, access.grant.userId, keys, now) &&
    liveGrant(read.grant, now) !== null;
}

/** `access`'s grant, with the entries of `keys` from its read handed to `along`. */
function answer(access: VerifiedAccess, keys: Deno.KvKey[], along?: ReadAlong): AccessGrant {
  if (along) along.entries = keys.length === 0 ? [] : access.read!.along;
  return access.grant;
}

/** Checks a token's header, signature and claims: what it carries, not yet remembered. */
async function verifyNew(
  kv: Deno.Kv,
  token: string,
  resource: string,
  now: number,
): Promise<VerifiedAccess> {
  const kid = accessTokenKeyId(token);
  const keys = await verificationKeys(kv, kid, now);
  const payload = await verifyJwt(token, keys.verify, {
    issuers: [new URL(resource).origin],
    audience: resource,
    check(payload) {
      for (const claim of ["client_id", "grant_id", "scope", "jti"]) {
        if (typeof payload[claim] !== "string") {
          throw new InvalidTokenError(`Token has no "${claim}" claim.`);
        }
      }
    },
  });
  const clientId = payload.client_id as string;
  const scopes = Object.freeze((payload.scope as string).split(" ").filter(Boolean));
  return {
    grant: Object.freeze({
      userId: payload.sub as string,
      clientId,
      grantId: payload.grant_id as string,
      scopes: scopes as string[],
    }),
    kid: kid as string, // the key set verified it, so the header named one of its keys
    until: cachedUntil(payload),
  };
}

/**
 * True when `read` may stand in for reading the grant again at `now`: younger than
 * {@linkcode GRANT_RECHECK_MS}, no change of the user noted in this isolate since it began, and
 * it read the keys asked for now (or none are asked).
 */
function isRecent(
  kv: Deno.Kv,
  read: GrantRead,
  userId: string,
  keys: Deno.KvKey[],
  now: number,
): boolean {
  return now >= read.at && now - read.at < GRANT_RECHECK_MS &&
    isUnchangedSince(kv, userId, read.ticket) &&
    (keys.length === 0 || sameKeys(read.keys, keys));
}

function sameKeys(a: Deno.KvKey[], b: Deno.KvKey[]): boolean {
  return a.length === b.length &&
    a.every((key, i) => key.length === b[i].length && key.every((part, j) => part === b[i][j]));
}

/** How many verified tokens this isolate remembers for `kv`. */
export function rememberedTokenCount(kv: Deno.Kv): number {
  return verified.get(kv)?.count ?? 0;
}

/**
 * True while the stored grant behind a verified access token exists and has not expired: one KV
 * read, never cached, so a revocation (consent withdrawn, refresh-token reuse) shows at once.
 */
export async function isLocalGrantLive(
  kv: Deno.Kv,
  grant: AccessGrant,
  now = Date.now(),
): Promise<boolean> {
  if (!grant.clientId || !grant.grantId) return false; // every token of this server names both
  return (await getGrant(kv, grant.userId, grant.clientId, grant.grantId, now)) !== null;
}

/** The `kid` of a token whose header says it is an access token (`typ: at+jwt`). */
function accessTokenKeyId(token: string): unknown {
  let typ: unknown;
  let kid: unknown;
  try {
    ({ typ, kid } = decodeProtectedHeader(token));
  } catch {
    throw new InvalidTokenError("Token is not a JWT.");
  }
  if (typeof typ !== "string" || typ.toLowerCase() !== ACCESS_TOKEN_TYPE) {
    throw new InvalidTokenError("Token is not an access token.");
  }
  return kid;
}
