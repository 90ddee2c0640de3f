import assert from "node:assert/strict";
import { buildCsp } from "./csp.ts";

const directives = (policy: string) =>
  Object.fromEntries(policy.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));

Deno.test("buildCsp() allows only same-origin scripts and forbids framing, base and objects", () => {
  const policy = directives(buildCsp());
  assert.deepEqual(policy["script-src"], ["'self'"]);
  assert.deepEqual(policy["frame-ancestors"], ["'none'"]);
  assert.deepEqual(policy["base-uri"], ["'none'"]);
  assert.deepEqual(policy["object-src"], ["'none'"]);
  assert.deepEqual(policy["form-action"], ["'self'"]);
  assert.doesNotMatch(buildCsp(), /unsafe-inline|unsafe-eval/);
});

Deno.test("buildCsp() appends a page's sources and drops directives set to null", () => {
  const policy = directives(buildCsp({
    "connect-src": ["https://test.stytch.com", "'self'"],
    "frame-src": ["https://test.stytch.com"],
    "form-action": null,
  }));
  assert.deepEqual(policy["connect-src"], ["'self'", "https://test.stytch.com"]);
  assert.deepEqual(policy["frame-src"], ["https://test.stytch.com"]);
  assert.equal(policy["form-action"], undefined);
  assert.deepEqual(policy["script-src"], ["'self'"]);
});

Deno.test("buildCsp() refuses sources or names that would inject directives", () => {
  assert.throws(() => buildCsp({ "img-src": ["x; script-src *"] }), /Invalid CSP source/);
  assert.throws(() => buildCsp({ "img-src; script-src": ["x"] }), /Invalid CSP directive/);
});
