import assert from "node:assert/strict";
import { currentManifest, generateManifest, MANIFEST_FILE } from "./manifest.ts";

Deno.test("pages.gen.ts lists every route and island on disk (run `deno task build` if not)", async () => {
  assert.equal(await Deno.readTextFile(MANIFEST_FILE), await currentManifest());
});

Deno.test("generateManifest() imports routes and the shell, not underscore helpers", () => {
  const text = generateManifest(["_app.tsx", "_components/X.tsx", "index.tsx", "todos/[id].tsx"], [
    "TodoList.tsx",
  ]);
  assert.match(text, /import \* as \$r0 from "\.\/routes\/_app\.tsx";/);
  assert.match(text, /"\.\/routes\/todos\/\[id\]\.tsx": \$r2,/);
  assert.match(text, /"\.\/islands\/TodoList\.tsx": \$i0,/);
  assert.doesNotMatch(text, /_components/);
});

Deno.test("generateManifest() refuses Fresh special files it does not implement", () => {
  for (const file of ["_middleware.ts", "admin/_middleware.tsx", "_layout.tsx", "_404.tsx"]) {
    assert.throws(
      () => generateManifest(["_app.tsx", file], []),
      (error: Error) => error.message.startsWith(`routes/${file}: Fresh's _middleware`),
    );
  }
});
