/**
 * The RS256 key pair that signs access tokens: made on first use, kept in KV so every
 * isolate and every restart signs with the same key, and published as a JWKS.
 */
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTVerifyGetKey,
} from "jose";
import { getSigningKey, insertSigningKey, type SigningKeyRecord } from "./store.ts";

/** The key in force: its id, the private key, the public JWK and a key set verifying with it. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** Built once, so jose imports the public key once rather than on every verification. */
  verifyKeys: JWTVerifyGetKey;
}

const loaded = new WeakMap<Deno.Kv, Promise<SigningKey>>();

/** The signing key stored in `kv`, made and stored on first use (cached per KV handle). */
export function loadSigningKey(kv: Deno.Kv): Promise<SigningKey> {
  let key = loaded.get(kv);
  if (!key) {
    key = loadOrCreate(kv);
    loaded.set(kv, key);
    key.catch(() => loaded.delete(kv));
  }
  return key;
}

/** The public JWKS document (`{keys: [...]}`) for `kv`'s signing key. */
export async function publicJwks(kv: Deno.Kv): Promise<{ keys: JWK[] }> {
  return { keys: [(await loadSigningKey(kv)).publicJwk] };
}

async function loadOrCreate(kv: Deno.Kv): Promise<SigningKey> {
  const record = (await getSigningKey(kv)) ?? (await insertSigningKey(kv, await makeRecord()));
  const privateKey = await importJWK(record.privateJwk as JWK, "RS256");
  if (!(privateKey instanceof CryptoKey)) throw new Error("Stored signing key is not an RSA key.");
  const publicJwk = record.publicJwk as JWK;
  return {
    kid: record.kid,
    privateKey,
    publicJwk,
    verifyKeys: createLocalJWKSet({ keys: [publicJwk] }),
  };
}

async function makeRecord(): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", {
    extractable: true,
    modulusLength: 2048,
  });
  const kid = `local-${crypto.randomUUID()}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256" };
  return { kid, privateJwk, publicJwk, createdAt: Date.now() };
}
