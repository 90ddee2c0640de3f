import assert from "node:assert/strict";
import { OAuthError } from "./errors.ts";
import { requireS256Challenge, s256, verifierMatches } from "./pkce.ts";

Deno.test("S256 matches the RFC 7636 appendix B example", async () => {
  const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  assert.equal(await s256(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  assert.equal(
    await verifierMatches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
    true,
  );
  assert.equal(
    await verifierMatches(verifier + "x", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
    false,
  );
});

Deno.test("PKCE is S256 only: missing, plain or malformed challenges are invalid_request", () => {
  const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  assert.equal(requireS256Challenge(challenge, "S256"), challenge);
  const cases: [string | null, string | null, RegExp][] = [
    [null, "S256", /required/],
    [challenge, "plain", /'plain' is not supported/],
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

Deno.test("a verifier must have 43 to 128 unreserved characters", async () => {
  const short = "a".repeat(42);
  assert.equal(await verifierMatches(short, await s256(short)), false);
  const long = "a".repeat(129);
  assert.equal(await verifierMatches(long, await s256(long)), false);
});
