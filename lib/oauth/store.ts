/**
 * Every Deno KV read and write of the built-in OAuth server. Secrets (codes, refresh tokens,
 * consent-form tokens) are keyed by their SHA-256, never stored raw. Read-modify-writes are
 * atomic operations checked against the versionstamps they read, retried a few times.
 *
 * ```
 * ["oauth_signing_key"]                             -> signing keys (lib/oauth/key_store.ts)
 * ["oauth_clients", clientId]                       -> StoredClient (expires when unused)
 * ["oauth_registrations", bucket]                   -> Deno.KvU64 (registrations per bucket, for the cap)
 * ["oauth_cimd", clientIdUrl]                       -> StoredClient (cached metadata document)
 * ["oauth_pending", tokenHash]                      -> PendingAuthorization (consent form, 10 min)
 * ["oauth_parked", referenceHash]                   -> ParkedRequest (authorize query kept over sign-in, 10 min)
 * ["oauth_codes", codeHash]                         -> StoredCode (kept until expiry to spot replays)
 * ["oauth_consents", userId, clientId]              -> StoredConsent
 * ["oauth_grants", userId, clientId, grantId]       -> StoredGrant (one code's chain of tokens)
 * ["oauth_refresh", tokenHash]                      -> StoredRefreshToken
 * ```
 */

const MAX_ATTEMPTS = 5;

/** A client, registered (RFC 7591) or described by its metadata document (CIMD). */
export interface StoredClient {
  clientId: string;
  source: "registered" | "metadata_document";
  clientName: string;
  redirectUris: string[];
  /** Scopes the client registered for, or `null` for any supported scope. */
  scopes: string[] | null;
  clientUri: string | null;
  createdAt: number;
  lastUsedAt: number;
}

/** A validated authorization request, as approved or denied on the consent page. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state: string | null;
  scopes: string[];
  codeChallenge: string;
  resource: string;
}

/** A consent form shown to a user; its token is the form's CSRF token. */
export interface PendingAuthorization {
  userId: string;
  request: AuthorizationRequest;
  expiresAt: number;
}

/** An authorization request's query, kept while the person signs in (lib/oauth/parked.ts). */
export interface ParkedRequest {
  /** The authorize URL's search string, `?` included. */
  query: string;
  expiresAt: number;
}

/** An authorization code, bound to everything the token request must repeat. */
export interface StoredCode {
  userId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  resource: string;
  scopes: string[];
  expiresAt: number;
  /** The grant the code was redeemed for; set once, so a second redemption is a replay. */
  redeemedGrantId: string | null;
}

/** What a user approved for a client; remembered so they are asked only once. */
export interface StoredConsent {
  userId: string;
  clientId: string;
  clientName: string;
  redirectHost: string;
  scopes: string[];
  approvedAt: number;
}

/** One authorization's chain of refresh tokens; access tokens name it and die with it. */
export interface StoredGrant {
  grantId: string;
  userId: string;
  clientId: string;
  scopes: string[];
  resource: string;
  /** Hash of the one refresh token of this chain that is still usable. */
  refreshHash: string;
  createdAt: number;
  expiresAt: number;
}

/** A refresh token; rotated ones are kept (marked) until they expire, to detect reuse. */
export interface StoredRefreshToken {
  grantId: string;
  userId: string;
  clientId: string;
  expiresAt: number;
  rotatedAt: number | null;
  /** Set on rotation: the hash of the token that replaced this one. */
  successorHash?: string;
  /** Set on rotation: that token, sealed under this one (lib/oauth/successor.ts). */
  sealedSuccessor?: string;
}

/** Typed key builders for every OAuth record (see the table above). */
export const keys = {
  client: (clientId: string): Deno.KvKey => ["oauth_clients", clientId],
  registrations: (bucket: number): Deno.KvKey => ["oauth_registrations", bucket],
  metadataDocument: (url: string): Deno.KvKey => ["oauth_cimd", url],
  pending: (tokenHash: string): Deno.KvKey => ["oauth_pending", tokenHash],
  parked: (referenceHash: string): Deno.KvKey => ["oauth_parked", referenceHash],
  code: (codeHash: string): Deno.KvKey => ["oauth_codes", codeHash],
  consent: (userId: string, clientId: string): Deno.KvKey => ["oauth_consents", userId, clientId],
  consentsOf: (userId: string): Deno.KvKey => ["oauth_consents", userId],
  grant: (userId: string, clientId: string, grantId: string): Deno.KvKey => [
    "oauth_grants",
    userId,
    clientId,
    grantId,
  ],
  grantsOf: (userId: string, clientId: string): Deno.KvKey => ["oauth_grants", userId, clientId],
  refresh: (tokenHash: string): Deno.KvKey => ["oauth_refresh", tokenHash],
};

/** Milliseconds left until `expiresAt`, at least one (KV rejects a zero `expireIn`). */
const remaining = (expiresAt: number, now: number) => Math.max(1, expiresAt - now);

/** Thrown when optimistic retries keep losing to concurrent writers. */
export class StoreContentionError extends Error {
  constructor(what: string) {
    super(`Too many concurrent changes to ${what}; try again.`);
    this.name = "StoreContentionError";
  }
}

// ---- clients --------------------------------------------------------------------------

/** The cap on stored registrations (see lib/oauth/registration.ts for the buckets). */
export interface RegistrationCap {
  /** Time buckets whose registrations may still be stored, oldest first, the current last. */
  buckets: number[];
  /** Most registrations those buckets may hold together. */
  max: number;
  /** How long the current bucket's count must be kept. */
  bucketTtlMs: number;
}

/**
 * Saves a newly registered client (forgotten after `ttlMs` unless used) and counts it in the
 * current bucket, in one atomic operation checked against every count read, unless the buckets
 * already hold `cap.max` registrations. Returns `false`, storing nothing, at the cap.
 */
export async function insertRegisteredClient(
  kv: Deno.Kv,
  client: StoredClient,
  ttlMs: number,
  cap: RegistrationCap,
): Promise<boolean> {
  const countKeys = cap.buckets.map(keys.registrations);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const counts = await kv.getMany<Deno.KvU64[]>(countKeys);
    const number = (entry: Deno.KvEntryMaybe<Deno.KvU64>) => Number(entry.value?.value ?? 0n);
    if (counts.reduce((total, entry) => total + number(entry), 0) >= cap.max) return false;
    const current = counts[counts.length - 1];
    const operation = kv.atomic();
    for (const entry of counts) operation.check(entry);
    const result = await operation
      .check({ key: keys.client(client.clientId), versionstamp: null })
      .set(current.key, new Deno.KvU64(BigInt(number(current) + 1)), { expireIn: cap.bucketTtlMs })
      .set(keys.client(client.clientId), client, { expireIn: ttlMs })
      .commit();
    if (result.ok) return true;
  }
  throw new StoreContentionError("the registration count");
}

/** A registered client by id, or `null`. */
export async function getClient(kv: Deno.Kv, clientId: string): Promise<StoredClient | null> {
  return (await kv.get<StoredClient>(keys.client(clientId))).value;
}

/** Records a use of a registered client and extends its life to `ttlMs` from `now`. */
export async function touchClient(
  kv: Deno.Kv,
  client: StoredClient,
  ttlMs: number,
  now: number,
): Promise<void> {
  const entry = await kv.get<StoredClient>(keys.client(client.clientId));
  if (!entry.value) return;
  // Best effort: a lost race means someone else just touched it.
  await kv.atomic().check(entry).set(entry.key, { ...entry.value, lastUsedAt: now }, {
    expireIn: ttlMs,
  }).commit();
}

/** A cached client metadata document, or `null`. */
export async function getCachedMetadataDocument(
  kv: Deno.Kv,
  url: string,
): Promise<StoredClient | null> {
  return (await kv.get<StoredClient>(keys.metadataDocument(url))).value;
}

/** Caches a fetched client metadata document for `ttlMs`. */
export async function cacheMetadataDocument(
  kv: Deno.Kv,
  client: StoredClient,
  ttlMs: number,
): Promise<void> {
  await kv.set(keys.metadataDocument(client.clientId), client, { expireIn: ttlMs });
}

// ---- consent form ---------------------------------------------------------------------

/** Remembers a consent form shown to a user, under the hash of its CSRF token. */
export async function savePendingAuthorization(
  kv: Deno.Kv,
  tokenHash: string,
  pending: PendingAuthorization,
  now: number,
): Promise<void> {
  await kv.set(keys.pending(tokenHash), pending, {
    expireIn: remaining(pending.expiresAt, now),
  });
}

/**
 * Takes (reads and deletes, once) the consent form for `tokenHash` if it belongs to `userId`
 * and is live; `null` otherwise, leaving anything that is not `userId`'s untouched.
 */
export async function takePendingAuthorization(
  kv: Deno.Kv,
  tokenHash: string,
  userId: string,
  now: number,
): Promise<PendingAuthorization | null> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get<PendingAuthorization>(keys.pending(tokenHash));
    const pending = entry.value;
    if (!pending || pending.userId !== userId || pending.expiresAt <= now) return null;
    const result = await kv.atomic().check(entry).delete(entry.key).commit();
    if (result.ok) return pending;
  }
  return null;
}

// ---- parked authorization requests ---------------------------------------------------

/** Keeps an authorization request's query under the hash of its reference until it expires. */
export async function parkRequest(
  kv: Deno.Kv,
  referenceHash: string,
  parked: ParkedRequest,
  now: number,
): Promise<void> {
  await kv.set(keys.parked(referenceHash), parked, { expireIn: remaining(parked.expiresAt, now) });
}

/** A parked request, or `null` when it is unknown or expired. */
export async function getParkedRequest(
  kv: Deno.Kv,
  referenceHash: string,
  now: number,
): Promise<ParkedRequest | null> {
  const parked = (await kv.get<ParkedRequest>(keys.parked(referenceHash))).value;
  return parked && parked.expiresAt > now ? parked : null;
}

// ---- consents -------------------------------------------------------------------------

/** The user's remembered consent for a client, or `null`. */
export async function getConsent(
  kv: Deno.Kv,
  userId: string,
  clientId: string,
): Promise<StoredConsent | null> {
  return (await kv.get<StoredConsent>(keys.consent(userId, clientId))).value;
}

/** Records a consent, adding its scopes to any the user approved for the client before. */
export async function saveConsent(kv: Deno.Kv, consent: StoredConsent): Promise<StoredConsent> {
  const key = keys.consent(consent.userId, consent.clientId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get<StoredConsent>(key);
    const scopes = [...new Set([...(entry.value?.scopes ?? []), ...consent.scopes])].sort();
    const merged = { ...consent, scopes };
    if ((await kv.atomic().check(entry).set(key, merged).commit()).ok) return merged;
  }
  throw new StoreContentionError("a consent");
}

/** The user's consents, oldest client id first. */
export async function listConsents(kv: Deno.Kv, userId: string): Promise<StoredConsent[]> {
  const consents: StoredConsent[] = [];
  for await (const entry of kv.list<StoredConsent>({ prefix: keys.consentsOf(userId) })) {
    consents.push(entry.value);
  }
  return consents;
}

/**
 * Forgets the user's consent for a client and revokes every grant it led to (their refresh
 * tokens stop working, and so do access tokens, which are checked against their grant).
 * Returns whether there was a consent.
 */
export async function revokeConsent(
  kv: Deno.Kv,
  userId: string,
  clientId: string,
): Promise<boolean> {
  const consent = await kv.get(keys.consent(userId, clientId));
  // Consent first: a code redemption racing with this checks the consent and then fails.
  await kv.delete(keys.consent(userId, clientId));
  for await (const entry of kv.list<StoredGrant>({ prefix: keys.grantsOf(userId, clientId) })) {
    await revokeGrant(kv, userId, clientId, entry.value.grantId);
  }
  return consent.value !== null;
}

// ---- codes and grants -----------------------------------------------------------------

/** Stores a fresh authorization code under its hash until it expires. */
export async function saveCode(
  kv: Deno.Kv,
  codeHash: string,
  code: StoredCode,
  now: number,
): Promise<void> {
  await kv.set(keys.code(codeHash), code, { expireIn: remaining(code.expiresAt, now) });
}

/** A grant, or `null` once it is revoked or expired. */
export async function getGrant(
  kv: Deno.Kv,
  userId: string,
  clientId: string,
  grantId: string,
  now: number,
): Promise<StoredGrant | null> {
  const grant = (await kv.get<StoredGrant>(keys.grant(userId, clientId, grantId))).value;
  return grant && grant.expiresAt > now ? grant : null;
}

/** Deletes a grant and its live refresh token (the chain); unknown grants are ignored. */
export async function revokeGrant(
  kv: Deno.Kv,
  userId: string,
  clientId: string,
  grantId: string,
): Promise<void> {
  const key = keys.grant(userId, clientId, grantId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get<StoredGrant>(key);
    if (!entry.value) return;
    const result = await kv.atomic().check(entry).delete(key)
      .delete(keys.refresh(entry.value.refreshHash)).commit();
    if (result.ok) return;
  }
  throw new StoreContentionError("a grant");
}

/** The new grant and its first (or next) refresh token. */
export interface IssuedChain {
  grant: StoredGrant;
  refreshHash: string;
  refresh: StoredRefreshToken;
}

export type RedeemOutcome =
  | { kind: "issued"; code: StoredCode; chain: IssuedChain }
  | { kind: "unknown" | "expired" | "no_consent" }
  | { kind: "replayed"; code: StoredCode };

/**
 * Redeems a code once, atomically: `check` (which throws to refuse, changing nothing) sees
 * the live code, then `issue` builds the grant stored with it. A code that was redeemed
 * before is a replay: the grant it issued is revoked (RFC 6749 §4.1.2).
 */
export async function redeemCode(
  kv: Deno.Kv,
  codeHash: string,
  now: number,
  check: (code: StoredCode) => void,
  issue: (code: StoredCode) => IssuedChain,
): Promise<RedeemOutcome> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get<StoredCode>(keys.code(codeHash));
    const code = entry.value;
    if (!code) return { kind: "unknown" };
    if (code.redeemedGrantId) {
      await revokeGrant(kv, code.userId, code.clientId, code.redeemedGrantId);
      return { kind: "replayed", code };
    }
    if (code.expiresAt <= now) return { kind: "expired" };
    check(code);
    const consent = await kv.get(keys.consent(code.userId, code.clientId));
    if (!consent.value) return { kind: "no_consent" };
    const chain = issue(code);
    const { grant } = chain;
    const result = await kv.atomic()
      .check(entry, consent)
      .check({ key: keys.grant(grant.userId, grant.clientId, grant.grantId), versionstamp: null })
      .set(entry.key, { ...code, redeemedGrantId: grant.grantId }, {
        expireIn: remaining(code.expiresAt, now),
      })
      .set(keys.grant(grant.userId, grant.clientId, grant.grantId), grant, {
        expireIn: remaining(grant.expiresAt, now),
      })
      .set(keys.refresh(chain.refreshHash), chain.refresh, {
        expireIn: remaining(chain.refresh.expiresAt, now),
      })
      .commit();
    if (result.ok) return { kind: "issued", code, chain };
  }
  throw new StoreContentionError("an authorization code");
}

export type RotateOutcome =
  | { kind: "rotated"; previous: StoredGrant; chain: IssuedChain }
  | { kind: "grace"; grant: StoredGrant; sealedSuccessor: string }
  | { kind: "unknown" | "expired" | "revoked" }
  | { kind: "reused" };

/** How a rotated refresh token may be presented again (see {@linkcode rotateRefreshToken}). */
export interface ReuseRules {
  /** How long after its rotation a token may be presented again; 0 allows no reuse. */
  graceMs: number;
  /** The next token sealed under the presented one, stored with it if this call rotates. */
  sealedSuccessor: string;
}

/**
 * Rotates a refresh token atomically: the old one is marked used (keeping its successor's
 * hash and the successor sealed under the old token) and the grant moves on to the next.
 * `check` (which throws to refuse, changing nothing) sees the live grant.
 *
 * A rotated token presented again within `reuse.graceMs` while its successor is still the
 * grant's live token (the chain has not moved on) is a concurrent refresh: the outcome is
 * `grace` with the sealed successor, and nothing is written. Any other reuse revokes the
 * whole chain (OAuth 2.1 §4.3.1).
 */
export async function rotateRefreshToken(
  kv: Deno.Kv,
  tokenHash: string,
  now: number,
  check: (grant: StoredGrant, refresh: StoredRefreshToken) => void,
  next: (grant: StoredGrant) => IssuedChain,
  reuse: ReuseRules,
): Promise<RotateOutcome> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get<StoredRefreshToken>(keys.refresh(tokenHash));
    const refresh = entry.value;
    if (!refresh) return { kind: "unknown" };
    const grantEntry = await kv.get<StoredGrant>(
      keys.grant(refresh.userId, refresh.clientId, refresh.grantId),
    );
    const grant = grantEntry.value;
    if (refresh.rotatedAt !== null) {
      const inGrace = now - refresh.rotatedAt < reuse.graceMs && !!refresh.sealedSuccessor &&
        !!grant && grant.expiresAt > now && grant.refreshHash === refresh.successorHash;
      if (!inGrace) {
        await revokeGrant(kv, refresh.userId, refresh.clientId, refresh.grantId);
        return { kind: "reused" };
      }
      check(grant, refresh);
      // Both reads still hold (the chain did not move on between them): a check-only commit.
      if (!(await kv.atomic().check(entry, grantEntry).commit()).ok) continue;
      return { kind: "grace", grant, sealedSuccessor: refresh.sealedSuccessor! };
    }
    if (refresh.expiresAt <= now) return { kind: "expired" };
    if (!grant || grant.expiresAt <= now || grant.refreshHash !== tokenHash) {
      // The grant may have moved on after the token was read (a concurrent rotation): read again.
      if (!(await kv.atomic().check(entry).commit()).ok) continue;
      return { kind: "revoked" };
    }
    check(grant, refresh);
    const chain = next(grant);
    const rotated: StoredRefreshToken = {
      ...refresh,
      rotatedAt: now,
      successorHash: chain.refreshHash,
      sealedSuccessor: reuse.sealedSuccessor,
    };
    const result = await kv.atomic()
      .check(entry, grantEntry)
      .set(entry.key, rotated, { expireIn: remaining(refresh.expiresAt, now) })
      .set(grantEntry.key, chain.grant, { expireIn: remaining(chain.grant.expiresAt, now) })
      .set(keys.refresh(chain.refreshHash), chain.refresh, {
        expireIn: remaining(chain.refresh.expiresAt, now),
      })
      .commit();
    if (result.ok) return { kind: "rotated", previous: grant, chain };
  }
  throw new StoreContentionError("a refresh token");
}
