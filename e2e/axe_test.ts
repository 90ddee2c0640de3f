import assert from "node:assert/strict";
import { darkSetsOnlyColors } from "./axe.ts";

Deno.test("axe's dark pass narrows to color rules only when the dark scheme sets only colors", () => {
  const dark = (body: string) =>
    `a { color: red; }\n@media (prefers-color-scheme: dark) {\n${body}\n}\n`;
  assert.equal(darkSetsOnlyColors(dark(":root {\n  --bg: #12141c;\n  --text: #e8eaf2;\n}")), true);
  assert.equal(darkSetsOnlyColors(dark(":root {\n  --bg: #12141c;\n  --gap: 2rem;\n}")), false);
  assert.equal(darkSetsOnlyColors(dark(":root { --bg: #000; }\n  .nav { display: none; }")), false);
  assert.equal(darkSetsOnlyColors(dark(".nav { display: none; }")), false);
  assert.equal(darkSetsOnlyColors("a { color: red; }"), true);
});
