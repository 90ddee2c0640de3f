import assert from "node:assert/strict";
import { redirectUriMatches, redirectUriProblem } from "./redirect_uris.ts";

Deno.test("https and loopback http redirect URIs can be registered", () => {
  for (
    const uri of [
      "https://claude.ai/api/mcp/auth_callback",
      "http://localhost:6274/oauth/callback",
      "http://127.0.0.1:33418/callback",
      "http://[::1]:8080/cb",
      "https://app.example/cb?tenant=1",
    ]
  ) {
    assert.equal(redirectUriProblem(uri), null, uri);
  }
});

Deno.test("other schemes, fragments, credentials and plain http are refused", () => {
  const cases: [unknown, RegExp][] = [
    ["http://app.example/cb", /loopback/],
    ["javascript:alert(1)", /https/],
    ["data:text/html,x", /https/],
    ["cursor://callback", /https/],
    ["https://app.example/cb#x", /fragment/],
    ["https://a:b@app.example/cb", /credentials/],
    ["relative/path", /absolute/],
    ["", /non-empty/],
    [7, /string/],
  ];
  for (const [uri, problem] of cases) {
    assert.match(redirectUriProblem(uri) ?? "", problem, String(uri));
  }
});

Deno.test("redirect URIs match exactly", () => {
  const registered = ["https://app.example/cb", "http://127.0.0.1:3000/callback"];
  assert.equal(redirectUriMatches("https://app.example/cb", registered), true);
  for (
    const uri of [
      "https://app.example/cb/",
      "https://app.example/cb?x=1",
      "https://APP.example/cb",
      "https://app.example:444/cb",
      "https://app.example.evil.example/cb",
      "http://app.example/cb",
      "https://app.example/cb#frag",
    ]
  ) {
    assert.equal(redirectUriMatches(uri, registered), false, uri);
  }
});

Deno.test("only the port of a loopback redirect URI may vary", () => {
  const registered = ["http://127.0.0.1:3000/callback", "http://localhost/cb"];
  assert.equal(redirectUriMatches("http://127.0.0.1:49152/callback", registered), true);
  assert.equal(redirectUriMatches("http://127.0.0.1/callback", registered), true);
  assert.equal(redirectUriMatches("http://localhost:9999/cb", registered), true);
  for (
    const uri of [
      "http://localhost:3000/callback",
      "http://127.0.0.2:3000/callback",
      "http://127.0.0.1:3000/other",
      "http://127.0.0.1:3000/callback?x=1",
      "https://127.0.0.1:3000/callback",
      "http://127.0.0.1:3000/callback#f",
    ]
  ) {
    assert.equal(redirectUriMatches(uri, registered), false, uri);
  }
});
