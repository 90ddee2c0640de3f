import assert from "node:assert/strict";
import { DEFAULT_RETURN_TO, loginUrl, safeReturnTo } from "./return_to.ts";

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
