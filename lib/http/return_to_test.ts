import assert from "node:assert/strict";
import { DEFAULT_RETURN_TO, loginUrl, retryPath, safeReturnTo } from "./return_to.ts";

Deno.test("safeReturnTo() keeps same-origin paths with their query", () => {
  assert.equal(safeReturnTo("/todoapp"), "/todoapp");
  assert.equal(
    safeReturnTo("/oauth/authorize?client_id=a&scope=b%20c"),
    "/oauth/authorize?client_id=a&scope=b%20c",
  );
});

Deno.test("safeReturnTo() sends anything that could leave the origin to /todoapp", () => {
  for (
    const value of [
      "//evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "todoapp",
      "/\t/evil.example",
      "",
      null,
      ["/x"],
      "/" + "a".repeat(3000),
    ]
  ) {
    assert.equal(safeReturnTo(value), DEFAULT_RETURN_TO, String(value));
  }
});

Deno.test("loginUrl() carries the path and query as returnTo", () => {
  assert.equal(
    loginUrl(new URL("http://x/todoapp?a=1&b=2")),
    "/login?returnTo=%2Ftodoapp%3Fa%3D1%26b%3D2",
  );
});

Deno.test("safeReturnTo() refuses paths that normalise to another host (dot segments)", () => {
  for (
    const value of [
      "/.//evil.example",
      "/./\\evil.example",
      "/%2e//evil.example",
      "/%2E//evil.example",
      "/a/..//evil.example",
      "/..//evil.example",
      "/a/b/../..//evil.example/x?y#z",
      "/.%2e//evil.example",
    ]
  ) {
    assert.equal(safeReturnTo(value), DEFAULT_RETURN_TO, value);
  }
});

Deno.test("safeReturnTo() output always stays on the app's origin (every short path)", () => {
  const pieces = ["", ".", "..", "%2e", "%2E.", "%2e%2e", "\\", "%5c", "%2f", "evil.example"];
  const app = "https://app.example";
  // Every path of up to four pieces, each followed by "/" or nothing: 160,000 values.
  let paths = ["/"];
  for (let depth = 0; depth < 4; depth++) {
    paths = paths.flatMap((path) => pieces.flatMap((piece) => [path + piece, `${path}${piece}/`]));
    for (const value of paths) {
      const out = safeReturnTo(value);
      assert.match(out, /^\/(?![/\\])/, `${value} -> ${out}`);
      assert.equal(new URL(out, app).origin, app, `${value} -> ${out}`);
    }
  }
});

Deno.test("retryPath: a GET retries itself, a form post the same-origin page it came from", () => {
  const origin = "http://localhost:8000";
  const get = new Request(`${origin}/todoapp?filter=active`);
  assert.equal(retryPath(get, origin), "/todoapp?filter=active");
  const post = (referer?: string) =>
    new Request(`${origin}/todoapp`, {
      method: "POST",
      headers: referer ? { Referer: referer } : {},
    });
  assert.equal(
    retryPath(post(`${origin}/todoapp?filter=completed`), origin),
    "/todoapp?filter=completed",
  );
  assert.equal(retryPath(post("https://evil.example/x"), origin), "/todoapp");
  assert.equal(retryPath(post(), origin), "/todoapp");
});
