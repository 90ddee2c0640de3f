/**
 * A pool of throwaway RS256 key pairs for tests (`rsa_keys.json`), so a test that needs a
 * signing key imports one (about a millisecond) instead of generating one (about a quarter of
 * a CPU-second). Each take hands out the pool's next key, so the keys one test takes differ.
 * Regenerate the pool with `deno run --allow-write=lib/testing lib/testing/rsa_keys.ts`.
 */
import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import pool from "./rsa_keys.json" with { type: "json" };

/** Keys in the pool: more than any one test takes. */
const POOL_SIZE = 12;

/** A test key pair: the private key to sign, and both halves as JWKs (no `kid`). */
export interface TestRsaKey {
  privateKey: CryptoKey;
  privateJwk: JWK;
  publicJwk: JWK;
}

let taken = 0;

/** The pool's next key pair (they repeat only after {@linkcode POOL_SIZE} takes). */
export async function takeTestRsaKey(): Promise<TestRsaKey> {
  const privateJwk: JWK = pool[taken++ % pool.length];
  const privateKey = await importJWK(privateJwk, "RS256", { extractable: true });
  if (!(privateKey instanceof CryptoKey)) throw new Error("rsa_keys.json holds a non-RSA key.");
  const { kty, n, e } = privateJwk;
  return { privateKey, privateJwk, publicJwk: { kty, n, e } };
}

if (import.meta.main) {
  const keys = [];
  for (let i = 0; i < POOL_SIZE; i++) {
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    keys.push(await exportJWK(privateKey));
  }
  await Deno.writeTextFile(
    new URL("./rsa_keys.json", import.meta.url),
    `${JSON.stringify(keys, null, 2)}\n`,
  );
}
