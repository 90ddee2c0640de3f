/** The view document's assembly: inline script text cannot end its element early. */
import assert from "node:assert/strict";
import { inlineScript, viewDocument } from "./build.ts";

Deno.test("inlineScript() keeps </script and <!-- in the bundle from ending or confusing the element", () => {
  const code = 'const a = "</script><script>alert(1)</script>", b = "<!--", c = "</SCRIPT>";';
  const safe = inlineScript(code);
  assert.doesNotMatch(safe, /<\/script|<!--/i);
  // The escapes mean the same string values in JavaScript.
  assert.deepEqual(new Function(`${safe}; return [a, b, c];`)(), [
    "</script><script>alert(1)</script>",
    "<!--",
    "</SCRIPT>",
  ]);
});

Deno.test("viewDocument() has one inline script and style, both allowed by hash and nothing else", async () => {
  const html = await viewDocument('console.log("</script>")', "body{color:red}</style>");
  assert.equal(html.match(/<script\b/g)?.length, 1);
  assert.equal(html.match(/<\/style>/g)?.length, 1);
  const csp = html.match(/content="(default-src[^"]+)"/)![1];
  assert.match(csp, /script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; img-src data:;/);
});
