import assert from "node:assert/strict";
import { islandName, routePattern, sortPatterns } from "./routing.ts";

Deno.test("routePattern() maps file names to URL patterns like Fresh", () => {
  const cases: [string, string | null][] = [
    ["index.tsx", "/"],
    ["todoapp.tsx", "/todoapp"],
    ["login.ts", "/login"],
    ["oauth/authorize.tsx", "/oauth/authorize"],
    ["todos/index.tsx", "/todos"],
    ["todos/[id].tsx", "/todos/:id"],
    ["todos/[id]/edit.tsx", "/todos/:id/edit"],
    ["docs/[...path].tsx", "/docs/:path{.+}"],
    ["(marketing)/about.tsx", "/about"],
  ];
  for (const [file, pattern] of cases) assert.equal(routePattern(file), pattern, file);
});

Deno.test("routePattern() skips the shell, underscore paths, tests and non-scripts", () => {
  for (const file of ["_app.tsx", "_404.tsx", "_components/Card.tsx", "a/_helpers.ts"]) {
    assert.equal(routePattern(file), null, file);
  }
  assert.equal(routePattern("todoapp_test.ts"), null);
  assert.equal(routePattern("styles.css"), null);
  assert.equal(routePattern("README.md"), null);
});

Deno.test("routePattern() refuses file names Hono would misread", () => {
  assert.throws(() => routePattern("a:b.tsx"), /Unsupported route file name/);
  assert.throws(() => routePattern("[id.tsx"), /Unsupported route file name/);
});

Deno.test("sortPatterns() puts static segments before parameters and rest parameters last", () => {
  const sorted = sortPatterns([
    "/:slug",
    "/docs/:path{.+}",
    "/docs/:id",
    "/todos/:id",
    "/todos/new",
  ]);
  const before = (a: string, b: string) =>
    assert.ok(sorted.indexOf(a) < sorted.indexOf(b), `${a} < ${b}`);
  before("/todos/new", "/todos/:id");
  before("/docs/:id", "/docs/:path{.+}");
  before("/todos/:id", "/:slug");
});

Deno.test("islandName() is the file path without extension", () => {
  assert.equal(islandName("TodoList.tsx"), "TodoList");
  assert.equal(islandName("stytch/Login.tsx"), "stytch-Login");
});
