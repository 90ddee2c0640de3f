import assert from "node:assert/strict";
import { currentManifest, generateManifest, MANIFEST_FILE } from "./manifest.ts";

Deno.test("pages.gen.ts lists every route and island on disk (run `deno task build` if not)", async () => {
  assert.equal(await Deno.readTextFile(MANIFEST_FILE), await currentManifest());
});

Deno.test("generateManifest() imports the shell, loads page routes on first use, skips underscore helpers", () => {
  const text = generateManifest(["_app.tsx", "_components/X.tsx", "index.tsx", "todos/[id].tsx"], [
    "TodoList.tsx",
  ]);
  assert.match(text, /import \* as \$r0 from "\.\/routes\/_app\.tsx";/);
  assert.match(text, /"\.\/routes\/_app\.tsx": \$r0,/);
  assert.match(
    text,
    /"\.\/routes\/todos\/\[id\]\.tsx": \(\) => import\("\.\/routes\/todos\/\[id\]\.tsx"\),/,
  );
  assert.doesNotMatch(text, /import \* as \$r\d+ from "\.\/routes\/(index|todos)/);
  assert.match(text, /"\.\/islands\/TodoList\.tsx": \$i0,/);
  assert.doesNotMatch(text, /_components/);
});

Deno.test("generateManifest() lists Fresh's special files: nested _layout and _middleware, root _404 and _500", () => {
  const text = generateManifest(
    ["_404.tsx", "_500.tsx", "_app.tsx", "_middleware.ts", "(app)/_layout.tsx", "a/_middleware.ts"],
    [],
  );
  for (
    const file of [
      "_404.tsx",
      "_500.tsx",
      "_middleware.ts",
      "(app)/_layout.tsx",
      "a/_middleware.ts",
    ]
  ) {
    assert.ok(text.includes(`"./routes/${file}": `), file);
  }
});

Deno.test("generateManifest() refuses _app, _404 and _500 outside routes/ itself, and Fresh 2's _error", () => {
  for (const file of ["admin/_404.tsx", "(app)/_app.tsx", "_error.tsx"]) {
    assert.throws(
      () => generateManifest(["_app.tsx", file], []),
      (error: Error) => error.message.startsWith(`routes/${file}: _app, _404 and _500`),
    );
  }
});

Deno.test("generateManifest() loads an island with the page routes that import it, unless a special file or no route does", () => {
  const text = generateManifest(
    ["_app.tsx", "(app)/_layout.tsx", "index.tsx", "login.tsx"],
    ["Guard.tsx", "List.tsx", "Login.tsx", "Unused.tsx"],
    {
      "(app)/_layout.tsx": ["Guard.tsx"],
      "index.tsx": ["Guard.tsx", "List.tsx"],
      "login.tsx": ["Login.tsx", "List.tsx"],
    },
  );
  assert.match(text, /import \* as \$i0 from "\.\/islands\/Guard\.tsx";/);
  assert.match(text, /import \* as \$i1 from "\.\/islands\/Unused\.tsx";/);
  assert.match(text, /"\.\/islands\/List\.tsx": \(\) => import\("\.\/islands\/List\.tsx"\),/);
  assert.match(text, /"\.\/islands\/Login\.tsx": \(\) => import\("\.\/islands\/Login\.tsx"\),/);
  assert.match(text, /"\.\/routes\/index\.tsx": \["\.\/islands\/List\.tsx"\],/);
  assert.match(
    text,
    /"\.\/routes\/login\.tsx": \["\.\/islands\/List\.tsx", "\.\/islands\/Login\.tsx"\],/,
  );
  assert.doesNotMatch(text, /import \* as \$i\d+ from "\.\/islands\/(List|Login)\.tsx"/);
});
