import assert from "node:assert/strict";
import { OAuthError } from "./errors.ts";
import { isWellFormedVerifier, requireS256Challenge, s256 } from "./pkce.ts";

Deno.test("S256 matches the RFC 7636 appendix B example", async () => {
  const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  assert.equal(await s256(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  assert.notEqual(await s256(verifier + "x"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
});

Deno.test("PKCE is S256 only: missing, plain or malformed challenges are invalid_request", () => {
  const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  assert.equal(requireS256Challenge(challenge, "S256"), challenge);
  const cases: [string | null, string | null, RegExp][] = [
    [null, "S256", /required/],
    [challenge, "plain", /"plain" is not supported/],
    [challenge, null, /must be S256/],
    ["too-short", "S256", /43 characters/],
  ];
  for (const [value, method, message] of cases) {
    assert.throws(
      () => requireS256Challenge(value, method),
      (error) =>
        error instanceof OAuthError && error.code === "invalid_request" &&
        message.test(error.message),
    );
  }
});

Deno.test("a verifier must have 43 to 128 unreserved characters", () => {
  assert.equal(isWellFormedVerifier("a".repeat(42)), false);
  assert.equal(isWellFormedVerifier("a".repeat(43)), true);
  assert.equal(isWellFormedVerifier("a".repeat(128)), true);
  assert.equal(isWellFormedVerifier("a".repeat(129)), false);
  assert.equal(isWellFormedVerifier(`${"a".repeat(42)}+`), false);
});
