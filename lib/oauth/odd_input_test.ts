/**
 * Odd requests at the three OAuth endpoints: other media types, JSON where a form belongs and
 * the reverse, arrays, repeated and huge parameters, broken encodings. Each gets a 4xx with an
 * RFC 6749 §5.2 (or RFC 7591) error body or an error page, never a 500, and stores nothing.
 */
import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN } from "../testing/app.ts";
import { pkcePair, registerClient } from "../testing/oauth.ts";

/** Counts stored entries, leaving out rate-limit counters (every request counts there). */
async function countEntries(kv: Deno.Kv): Promise<number> {
  let n = 0;
  for await (const entry of kv.list({ prefix: [] })) if (entry.key[0] !== "rate_limit") n++;
  return n;
}

const JSON_TYPE = "application/json";
const FORM = "application/x-www-form-urlencoded";

Deno.test("odd bodies at /oauth/register and /oauth/token get OAuth errors, never a 500", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const { verifier } = await pkcePair();
  const before = await countEntries(app.kv);
  const cases: [string, string | null, string][] = [
    ["/oauth/register", JSON_TYPE, ""],
    ["/oauth/register", JSON_TYPE, "[]"],
    ["/oauth/register", JSON_TYPE, "null"],
    ["/oauth/register", JSON_TYPE, '"redirect_uris"'],
    ["/oauth/register", JSON_TYPE, '{"redirect_uris":[{"a":1}]}'],
    ["/oauth/register", JSON_TYPE, '{"redirect_uris":["https://a.example/cb"],"scope":["x"]}'],
    ["/oauth/register", JSON_TYPE, '{"redirect_uris":["https://a.example/cb"],"grant_types":[1]}'],
    ["/oauth/register", JSON_TYPE, "\u00ff\u00fe{"],
    ["/oauth/register", FORM, "redirect_uris=https%3A%2F%2Fa.example%2Fcb"],
    ["/oauth/register", "multipart/form-data; boundary=x", "--x--"],
    ["/oauth/register", null, '{"redirect_uris":["https://a.example/cb"]}'],
    ["/oauth/token", JSON_TYPE, JSON.stringify({ grant_type: "authorization_code" })],
    ["/oauth/token", "text/plain", "grant_type=authorization_code"],
    ["/oauth/token", null, "grant_type=authorization_code"],
    ["/oauth/token", FORM, ""],
    ["/oauth/token", FORM, "grant_type[]=refresh_token"],
    ["/oauth/token", FORM, "grant_type=refresh_token&grant_type=refresh_token"],
    ["/oauth/token", FORM, `grant_type=refresh_token&client_id=${clientId}&refresh_token=%ZZ`],
    ["/oauth/token", FORM, `grant_type=refresh_token&client_id=${"%00".repeat(500)}`],
    [
      "/oauth/token",
      FORM,
      `grant_type=authorization_code&client_id=${clientId}&code=${
        "c".repeat(5000)
      }&code_verifier=${verifier}&redirect_uri=x`,
    ],
    [
      "/oauth/token",
      FORM,
      `grant_type=authorization_code&client_id=${clientId}&code=${
        "c".repeat(43)
      }&code_verifier=short&redirect_uri=x`,
    ],
    [
      "/oauth/token",
      FORM,
      `grant_type=refresh_token&client_id=${clientId}&refresh_token=${"r".repeat(43)}&scope=%7F`,
    ],
    ["/oauth/token", FORM, `grant_type=${"g".repeat(10_000)}`],
    ["/oauth/token", FORM, "grant_type=client_credentials&client_id=x&client_secret=y"],
  ];
  for (const [path, type, body] of cases) {
    const label = `${path} ${type} ${body.slice(0, 60)}`;
    const response = await app.request(path, {
      method: "POST",
      headers: type ? { "Content-Type": type } : {},
      body,
    });
    assert.ok(response.status >= 400 && response.status < 500, `${label}: ${response.status}`);
    assert.equal(response.headers.get("Cache-Control"), "no-store", label);
    const answer = await response.json();
    assert.equal(typeof answer.error, "string", label);
    assert.equal(typeof answer.error_description, "string", label);
  }
  assert.equal(await countEntries(app.kv), before, "nothing was stored");
});

Deno.test("odd authorize requests get a 400 error page, never a 500, and store nothing", async () => {
  using app = await createTestApp();
  const clientId = await registerClient(app);
  const cookie = await app.signIn("ada@example.com");
  const before = await countEntries(app.kv);
  const queries = [
    "",
    "client_id=",
    `client_id=${clientId}&client_id=${clientId}`,
    `client_id=${"x".repeat(20_000)}`,
    "client_id=%E0%A4%A&redirect_uri=%",
    `client_id=${encodeURIComponent("https://[::1]/c.json")}&redirect_uri=x`,
    `client_id=${clientId}&redirect_uri=${encodeURIComponent("javascript:alert(1)")}`,
    `client_id=${clientId}&redirect_uri[]=x`,
  ];
  for (const query of queries) {
    for (const headers of [{ Cookie: cookie }, {}] as Record<string, string>[]) {
      const response = await app.request(`/oauth/authorize?${query}`, { headers });
      assert.equal(response.status, 400, query.slice(0, 80));
      assert.match(await response.text(), /Can.t connect this app/);
    }
  }
  const posts: [string, string][] = [
    [JSON_TYPE, '{"decision":"allow"}'],
    [FORM, ""],
    [FORM, "decision=allow&decision=deny"],
    [FORM, `decision=allow&csrf_token=${"t".repeat(50_000)}`],
    ["multipart/form-data; boundary=b", "garbage"],
    ["text/plain", "decision=allow"],
  ];
  for (const [type, body] of posts) {
    const response = await app.request("/oauth/authorize", {
      method: "POST",
      headers: { Cookie: cookie, Origin: TEST_ORIGIN, "Content-Type": type },
      body,
    });
    assert.equal(response.status, 400, `${type} ${body.slice(0, 40)}`);
    await response.body?.cancel();
  }
  assert.equal(await countEntries(app.kv), before, "nothing was stored");
});
