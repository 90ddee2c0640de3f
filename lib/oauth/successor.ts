/**
 * A rotated refresh token's successor, kept sealed (AES-256-GCM) under a key derived (HKDF)
 * from the rotated token itself. The store holds only the ciphertext and the tokens' hashes,
 * so neither token can be read from KV; only a request presenting the rotated token can open
 * its successor, which the token endpoint allows within the reuse grace window.
 */
const INFO = new TextEncoder().encode("todo-mcp refresh token successor v1");
const IV_BYTES = 12;

async function keyFrom(token: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(token),
    "HKDF",
    false,
    ["deriveKey"],
  );
  return await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: INFO },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Seals `successor` so that only `token` opens it (base64url of IV and ciphertext). */
export async function sealSuccessor(token: string, successor: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    await keyFrom(token),
    new TextEncoder().encode(successor),
  );
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return out.toBase64({ alphabet: "base64url", omitPadding: true });
}

/** The successor sealed by {@linkcode sealSuccessor} for `token`, or `null` if it does not open. */
export async function openSuccessor(token: string, sealed: string): Promise<string | null> {
  try {
    const bytes = Uint8Array.fromBase64(sealed, { alphabet: "base64url" });
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.slice(0, IV_BYTES) },
      await keyFrom(token),
      bytes.slice(IV_BYTES),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
