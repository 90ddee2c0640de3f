import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "./config.ts";
import { misconfiguredHandler } from "./config_page.ts";

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  assert.fail("expected a ConfigError");
}

const SECRET = "secret-live-DoNotShowThisValueAnywhere0000";

Deno.test("a misconfigured deployment shows a page naming what is missing", async () => {
  const problems = problemsOf({
    DENO_DEPLOYMENT_ID: "dep-1",
    PUBLIC_URL: "https://todo.example",
    STYTCH_SECRET: SECRET,
  });
  const handler = misconfiguredHandler(problems);
  const res = handler(
    new Request("https://todo.example/login", { headers: { Accept: "text/html" } }),
  );
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("Content-Type"), "text/html; charset=utf-8");
  assert.equal(res.headers.get("Cache-Control"), "no-store");
  assert.match(res.headers.get("Content-Security-Policy")!, /default-src 'none'/);
  const html = await res.text();
  assert.match(html, /This deployment is not configured yet/);
  assert.match(
    html,
    /STYTCH_SECRET set but STYTCH_PROJECT_ID, STYTCH_PUBLIC_TOKEN, STYTCH_DOMAIN missing/,
  );
  assert.ok(!html.includes(SECRET), "the secret's value is never shown");
});

Deno.test("problem text is escaped on the page", async () => {
  const handler = misconfiguredHandler([
    'PUBLIC_URL must be an absolute URL, got "<script>x</script>"',
  ]);
  const html = await handler(new Request("http://x/", { headers: { Accept: "text/html" } })).text();
  assert.ok(!html.includes("<script>"));
  assert.match(html, /&#60;script&#62;x&#60;\/script&#62;/);
});

Deno.test("API and MCP clients get the problems as a 503 JSON error", async () => {
  const handler = misconfiguredHandler(["Deno Deploy requires Stytch."]);
  const res = handler(new Request("https://todo.example/api/todos"));
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), {
    error: {
      code: "misconfigured",
      message: "The server is not configured correctly: Deno Deploy requires Stytch.",
    },
  });
});
