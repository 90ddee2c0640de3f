/**
 * The RS256 keys that sign access tokens: kept in KV so every isolate and every restart
 * signs with the same key, rotated on a schedule, published as a JWKS of the current and the
 * previous key. A token signed with the previous key keeps verifying until it expires: the
 * previous key is dropped only once every token it signed has expired.
 *
 * Each isolate caches the keys per KV handle and re-reads them after {@linkcode KEY_REFRESH_MS},
 * when the current key is due for rotation, or when a token names a key id it does not know
 * (at most once per {@linkcode UNKNOWN_KID_COOLDOWN_MS}), so a rotation made by another
 * isolate is picked up within seconds.
 */
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTVerifyGetKey,
} from "jose";
import { CLOCK_TOLERANCE_SECONDS } from "../auth/jwt.ts";
import {
  settleSigningKeys,
  type SigningKeyRecord,
  type SigningKeySet,
} from "./store/signing_keys.ts";

/** How long an isolate trusts its cached keys before reading them again. */
export const KEY_REFRESH_MS = 60_000;

/** When keys rotate. */
export interface RotationPolicy {
  /** Age at which the current key hands over to a new one. */
  rotateAfterMs: number;
  /** Longest life of a token a key signs (access token TTL). */
  tokenLifetimeMs: number;
}

/** A key ready to sign (private key) and verify (public JWK). */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  createdAt: number;
}

/** What an isolate holds: the stored keys imported, and when it read them. */
interface KeyRing {
  current: SigningKey;
  previous: SigningKey | null;
  /** Built once per read, so jose imports the public keys once rather than per verification. */
  verifyKeys: JWTVerifyGetKey;
  kids: string[];
  loadedAt: number;
}

const rings = new WeakMap<Deno.Kv, Promise<KeyRing>>();
/** What the latest read in `rings` settled to (none while one runs), for callers not waiting. */
const settledRings = new WeakMap<Deno.Kv, KeyRing>();

/** The key that signs now, rotating first when it is due under `policy`. */
export async function currentSigningKey(
  kv: Deno.Kv,
  policy: RotationPolicy,
  now = Date.now(),
): Promise<SigningKey> {
  const ring = await keyRing(
    kv,
    now,
    (ring) => isStale(ring, now) || isDue(ring, policy, now),
    policy,
  );
  return ring.current;
}

/** What verifies tokens now: the key set, and the ids of the keys in it. */
export interface VerificationKeys {
  verify: JWTVerifyGetKey;
  kids: string[];
}

/**
 * Shortest time between two reads of the keys caused by a token naming a key id this isolate
 * does not know. Anyone can send such a token without signing in, so it must not make every
 * request read KV; a rotation by another isolate is still seen within this time.
 */
export const UNKNOWN_KID_COOLDOWN_MS = 5_000;

const unknownKidReads = new WeakMap<Deno.Kv, number>();

/**
 * The keys that verify a token whose header names `kid`: the cached current and previous
 * keys, read again first if they are stale, or if `kid` looks like one of ours but is unknown
 * (another isolate rotated) and no unknown kid caused a read in the last
 * {@linkcode UNKNOWN_KID_COOLDOWN_MS}. Bounded: at most one extra read per call.
 */
export async function verificationKeys(
  kv: Deno.Kv,
  kid: unknown,
  now = Date.now(),
): Promise<VerificationKeys> {
  const unknown = (ring: KeyRing) => {
    if (typeof kid !== "string" || !KID_PATTERN.test(kid) || kidsOf(ring).includes(kid)) {
      return false;
    }
    const last = unknownKidReads.get(kv);
    if (last !== undefined && now - last < UNKNOWN_KID_COOLDOWN_MS && now >= last) return false;
    unknownKidReads.set(kv, now);
    return true;
  };
  const ring = await keyRing(kv, now, (ring) => isStale(ring, now) || unknown(ring), null);
  return { verify: ring.verifyKeys, kids: ring.kids };
}

/** The public JWKS document (`{keys: [current, previous]}`) for `kv`'s signing keys. */
export async function publicJwks(kv: Deno.Kv, now = Date.now()): Promise<{ keys: JWK[] }> {
  const ring = await keyRing(kv, now, (ring) => isStale(ring, now), null);
  return { keys: [ring.current, ring.previous].flatMap((key) => key ? [key.publicJwk] : []) };
}

const KID_PATTERN = /^local-[0-9a-f-]{36}$/;

/**
 * Longest a key must verify after it stopped signing: a token's life, plus the time an
 * isolate may go on signing with a cached key, plus the verifier's clock tolerance.
 */
const retention = (policy: RotationPolicy) =>
  policy.tokenLifetimeMs + KEY_REFRESH_MS + CLOCK_TOLERANCE_SECONDS * 1000;

/** Due when the current key is old enough and dropping the previous key strands no token. */
function isDue(keys: SigningKeySet | KeyRing, policy: RotationPolicy, now: number): boolean {
  const age = now - keys.current.createdAt;
  return age >= policy.rotateAfterMs && (keys.previous === null || age >= retention(policy));
}

const isStale = (ring: KeyRing, now: number) =>
  now - ring.loadedAt >= KEY_REFRESH_MS || now < ring.loadedAt;

const kidsOf = (ring: KeyRing) => ring.kids;

/**
 * The cached ring for `kv`, read again (at most once per call) when `reload` says so; the
 * read brings the stored keys up to date, rotating them when `policy` is given and says so.
 * Callers that find the ring stale at the same moment share one read.
 */
async function keyRing(
  kv: Deno.Kv,
  now: number,
  reload: (ring: KeyRing) => boolean,
  policy: RotationPolicy | null,
): Promise<KeyRing> {
  const cached = rings.get(kv);
  const before = cached ? await cached : null;
  if (before && !reload(before)) return before;
  // Share a read another caller started after ours was found stale; otherwise start one.
  const shared = rings.get(kv);
  let ring = shared && shared !== cached ? await shared : await startLoad(kv, now, policy, before);
  if (policy && isDue(ring, policy, now)) {
    // The shared read was a verifier's, which does not rotate: rotate now.
    ring = await startLoad(kv, now, policy, ring);
  }
  return ring;
}

/** Starts a read of `kv`'s keys and caches it; a failed read is forgotten. */
function startLoad(
  kv: Deno.Kv,
  now: number,
  policy: RotationPolicy | null,
  before: KeyRing | null,
): Promise<KeyRing> {
  const pending = load(kv, now, policy, before);
  rings.set(kv, pending);
  // Until this read settles, callers that do not wait have no ring (they wait on this read).
  settledRings.delete(kv);
  pending.then((ring) => {
    if (rings.get(kv) === pending) settledRings.set(kv, ring);
  }, () => {
    if (rings.get(kv) !== pending) return;
    rings.delete(kv);
    settledRings.delete(kv);
  });
  return pending;
}

/**
 * The ids of the keys that verify tokens, when the ring in memory is fresh at `now` and no read
 * of the keys is under way, without waiting; otherwise `null` (ask {@linkcode verificationKeys}).
 * For a token whose key is among them, {@linkcode verificationKeys} would answer the same.
 */
export function freshKeyIds(kv: Deno.Kv, now = Date.now()): readonly string[] | null {
  const ring = settledRings.get(kv);
  return ring && !isStale(ring, now) ? ring.kids : null;
}

/** Reads (and settles) the stored keys, reusing `before`'s imported keys where kids match. */
async function load(
  kv: Deno.Kv,
  now: number,
  policy: RotationPolicy | null,
  before: KeyRing | null,
): Promise<KeyRing> {
  const stored = await settleSigningKeys(
    kv,
    (keys) => policy !== null && isDue(keys, policy, now),
    () => makeRecord(now),
  );
  const reuse = (record: SigningKeyRecord) =>
    [before?.current, before?.previous].find((key) => key?.kid === record.kid) ??
      importRecord(record);
  const current = await reuse(stored.current);
  const previous = stored.previous ? await reuse(stored.previous) : null;
  return {
    current,
    previous,
    verifyKeys: createLocalJWKSet({
      keys: [current, previous].flatMap((key) => key ? [key.publicJwk] : []),
    }),
    kids: [current.kid, ...(previous ? [previous.kid] : [])],
    loadedAt: now,
  };
}

async function importRecord(record: SigningKeyRecord): Promise<SigningKey> {
  const privateKey = await importJWK(record.privateJwk as JWK, "RS256");
  if (!(privateKey instanceof CryptoKey)) throw new Error("Stored signing key is not an RSA key.");
  return {
    kid: record.kid,
    privateKey,
    publicJwk: record.publicJwk as JWK,
    createdAt: record.createdAt,
  };
}

async function makeRecord(now: number): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", {
    extractable: true,
    modulusLength: 2048,
  });
  return signingKeyRecord(await exportJWK(privateKey), await exportJWK(publicKey), now);
}

/** The stored record of an RS256 key pair made at `now`, under a new key id. */
export function signingKeyRecord(privateJwk: JWK, publicJwk: JWK, now: number): SigningKeyRecord {
  const kid = `local-${crypto.randomUUID()}`;
  const stampedPrivate: JWK = { ...privateJwk, kid, alg: "RS256" };
  const stampedPublic: JWK = { ...publicJwk, kid, alg: "RS256", use: "sig" };
  return { kid, privateJwk: stampedPrivate, publicJwk: stampedPublic, createdAt: now };
}
