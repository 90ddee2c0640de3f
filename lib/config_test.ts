import assert from "node:assert/strict";
import {
  CONFIG_VARIABLES,
  ConfigError,
  isLoopbackHost,
  parseConfig,
  unreadVariables,
} from "./config.ts";
import { TUNING } from "./tuning.ts";

const STYTCH = {
  STYTCH_PROJECT_ID: "project-test-11111111-2222-4333-8444-555555555555",
  STYTCH_SECRET: "secret-test-abcdefghijklmnopqrstuvwxyz012345=",
  STYTCH_PUBLIC_TOKEN: "public-token-test-66666666-7777-4888-9999-000000000000",
  STYTCH_DOMAIN: "https://clever-fox-1234.customers.stytch.dev",
};
const DEPLOY = { DENO_DEPLOYMENT_ID: "abc123", PUBLIC_URL: "https://todo.example" };

/** The problems `parseConfig(env)` reports; fails the test if it does not throw. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.ok(error.message.startsWith("Invalid configuration:\n"));
    for (const problem of error.problems) assert.ok(error.message.includes(`  - ${problem}`));
    return error.problems;
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(env)}`);
}

function assertOneProblem(env: Record<string, string | undefined>, pattern: RegExp) {
  const problems = problemsOf(env);
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(problems[0], pattern);
}

Deno.test("no Stytch variables selects local sign-in with defaults", () => {
  const config = parseConfig({});
  assert.equal(config.stytch, null);
  assert.equal(config.port, 8000);
  assert.equal(config.publicUrl, null);
  assert.equal(config.kvPath, "./data/todos.sqlite3");
  assert.equal(config.onDenoDeploy, false);
  assert.deepEqual(config.mcp, { allowedOrigins: [] });
});

Deno.test("all four Stytch variables select Stytch mode, trimmed and normalized", () => {
  const config = parseConfig({
    ...STYTCH,
    STYTCH_SECRET: `  ${STYTCH.STYTCH_SECRET}\n`,
    STYTCH_DOMAIN: `${STYTCH.STYTCH_DOMAIN}/`,
  });
  const stytch = config.stytch &&
    { ...config.stytch, domain: config.stytch.domain.href, apiUrl: config.stytch.apiUrl.href };
  assert.deepEqual(stytch, {
    projectId: STYTCH.STYTCH_PROJECT_ID,
    secret: STYTCH.STYTCH_SECRET,
    publicToken: STYTCH.STYTCH_PUBLIC_TOKEN,
    domain: `${STYTCH.STYTCH_DOMAIN}/`,
    apiUrl: "https://test.stytch.com/",
  });
  assert.equal(config.stytch?.domain.origin, STYTCH.STYTCH_DOMAIN);
});

Deno.test("live values and a custom domain are accepted", () => {
  const config = parseConfig({
    STYTCH_PROJECT_ID: STYTCH.STYTCH_PROJECT_ID.replace("test", "live"),
    STYTCH_SECRET: STYTCH.STYTCH_SECRET.replace("test", "live"),
    STYTCH_PUBLIC_TOKEN: STYTCH.STYTCH_PUBLIC_TOKEN.replace("test", "live"),
    STYTCH_DOMAIN: "https://login.todo.example",
  });
  assert.equal(config.stytch?.domain.origin, "https://login.todo.example");
  assert.equal(config.stytch?.apiUrl.origin, "https://api.stytch.com", "the SDK's live API");
});

Deno.test("STYTCH_API_URL points the server's Stytch calls elsewhere; https only", () => {
  const config = parseConfig({ ...STYTCH, STYTCH_API_URL: "https://api.login.todo.example/" });
  assert.equal(config.stytch?.apiUrl.origin, "https://api.login.todo.example");
  assertOneProblem(
    { ...STYTCH, STYTCH_API_URL: "http://127.0.0.1:8443" },
    /^STYTCH_API_URL must use https, got "http:\/\/127\.0\.0\.1:8443"$/,
  );
  assertOneProblem(
    { ...STYTCH, STYTCH_API_URL: "https://api.stytch.com/v1" },
    /^STYTCH_API_URL must be an origin without a path/,
  );
  assertOneProblem(
    { STYTCH_API_URL: "https://api.stytch.com" },
    /^STYTCH_API_URL is set but Stytch is not configured/,
  );
});

Deno.test("each partial Stytch set stops start-up naming what is set and what is missing", () => {
  const names = Object.keys(STYTCH) as (keyof typeof STYTCH)[];
  for (const left of names) {
    const env = { ...STYTCH, [left]: undefined };
    const others = names.filter((name) => name !== left).join(", ");
    assertOneProblem(
      env,
      new RegExp(`^Stytch is partly configured: ${others} set but ${left} missing\\.`),
    );
  }
  assertOneProblem(
    { STYTCH_PUBLIC_TOKEN: STYTCH.STYTCH_PUBLIC_TOKEN },
    /STYTCH_PUBLIC_TOKEN set but STYTCH_PROJECT_ID, STYTCH_SECRET, STYTCH_DOMAIN missing\. Set all four/,
  );
});

Deno.test("blank Stytch values count as missing", () => {
  assertOneProblem({ ...STYTCH, STYTCH_SECRET: "   " }, /but STYTCH_SECRET missing/);
  assert.equal(
    parseConfig({
      STYTCH_PROJECT_ID: "",
      STYTCH_SECRET: "",
      STYTCH_PUBLIC_TOKEN: "",
      STYTCH_DOMAIN: "",
    }).stytch,
    null,
  );
});

Deno.test("a malformed project id, secret or public token is named without echoing it", () => {
  const cases: [string, string, RegExp][] = [
    ["STYTCH_PROJECT_ID", "project-123", /^STYTCH_PROJECT_ID must look like "project-test-<uuid>"/],
    ["STYTCH_SECRET", "hunter2", /^STYTCH_SECRET must look like "secret-test-\.\.\."/],
    ["STYTCH_SECRET", STYTCH.STYTCH_PUBLIC_TOKEN, /^STYTCH_SECRET must look like/],
    [
      "STYTCH_PUBLIC_TOKEN",
      STYTCH.STYTCH_SECRET,
      /^STYTCH_PUBLIC_TOKEN must look like "public-token-test-<uuid>"/,
    ],
  ];
  for (const [name, value, pattern] of cases) {
    const problems = problemsOf({ ...STYTCH, [name]: value });
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], pattern);
    assert.ok(!problems[0].includes(value), "the value is not echoed");
  }
});

Deno.test("a secret in the wrong variable is never echoed in any message", () => {
  const secret = STYTCH.STYTCH_SECRET;
  const other = "secret-live-zyxwvutsrqponmlkjihgfedcba9876";
  const cases: Record<string, string | undefined>[] = [
    { ...STYTCH, STYTCH_DOMAIN: secret },
    { ...STYTCH, STYTCH_DOMAIN: `https://stytch.example/${secret}` },
    { ...STYTCH, PUBLIC_URL: `${secret}.example` },
    { ...STYTCH, MCP_ALLOWED_ORIGINS: `https://ok.example,${secret}` },
    { ...STYTCH, STYTCH_DOMAIN: other, STYTCH_SECRET: "" },
    { ...DEPLOY, STYTCH_DOMAIN: other },
  ];
  for (const env of cases) {
    const message = (() => {
      try {
        parseConfig(env);
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.message;
      }
      assert.fail(`expected a ConfigError for ${Object.keys(env)}`);
    })();
    assert.ok(!message.includes(secret) && !message.includes(other), message);
    assert.match(message, /STYTCH_DOMAIN|PUBLIC_URL|MCP_ALLOWED_ORIGINS/);
  }
});

Deno.test("a malformed STYTCH_DOMAIN is named with the reason", () => {
  const cases: [string, RegExp][] = [
    [
      "clever-fox-1234.customers.stytch.dev",
      /^STYTCH_DOMAIN must be an absolute URL, got "clever-fox-1234\.customers\.stytch\.dev" \(did you mean "https:\/\/clever-fox-1234\.customers\.stytch\.dev"\?\)$/,
    ],
    ["not a url", /^STYTCH_DOMAIN must be an absolute URL, got "not a url"$/],
    ["http://clever-fox.customers.stytch.dev", /^STYTCH_DOMAIN must use https \(plain http only/],
    ["ftp://stytch.example", /^STYTCH_DOMAIN must use https/],
    ["https://login.todo.example/v1", /^STYTCH_DOMAIN must be an origin without a path/],
    ["https://login.todo.example/?x=1", /^STYTCH_DOMAIN must be an origin without a path, query/],
    [
      "https://test.stytch.com",
      /^STYTCH_DOMAIN is Stytch's API host \(https:\/\/test\.stytch\.com\)/,
    ],
    ["https://api.stytch.com", /^STYTCH_DOMAIN is Stytch's API host/],
  ];
  for (const [value, pattern] of cases) {
    assertOneProblem({ ...STYTCH, STYTCH_DOMAIN: value }, pattern);
  }
});

Deno.test("plain http is accepted for a loopback Stytch stand-in only", () => {
  for (const host of ["127.0.0.1:9999", "localhost:9999", "[::1]:9999", "127.1.2.3"]) {
    const config = parseConfig({ ...STYTCH, STYTCH_DOMAIN: `http://${host}` });
    assert.equal(config.stytch?.domain.origin, `http://${host}`);
  }
  assert.ok(isLoopbackHost("127.0.0.1"));
  assert.ok(!isLoopbackHost("127.0.0.1.evil.example"));
  assert.ok(!isLoopbackHost("10.0.0.1"));
});

Deno.test("Stytch values from both test and live environments are refused", () => {
  assertOneProblem(
    { ...STYTCH, STYTCH_PUBLIC_TOKEN: STYTCH.STYTCH_PUBLIC_TOKEN.replace("test", "live") },
    /^Stytch values come from different environments \(STYTCH_PROJECT_ID is test, STYTCH_SECRET is test, STYTCH_PUBLIC_TOKEN is live\)/,
  );
});

Deno.test("several problems are all reported at once", () => {
  const problems = problemsOf({
    STYTCH_PROJECT_ID: "nope",
    STYTCH_DOMAIN: "http://stytch.example",
    PORT: "http",
  });
  assert.equal(problems.length, 4, problems.join("\n"));
  assert.ok(problems.some((p) => p.startsWith("STYTCH_PROJECT_ID must look like")));
  assert.ok(problems.some((p) => p.startsWith("STYTCH_DOMAIN must use https")));
  assert.ok(problems.some((p) => p.startsWith("PORT must be a port number")));
  assert.ok(problems.some((p) => p.includes("STYTCH_SECRET, STYTCH_PUBLIC_TOKEN missing")));
});

Deno.test("Deno Deploy requires Stytch and PUBLIC_URL", () => {
  assertOneProblem({ ...DEPLOY }, /^Deno Deploy requires Stytch: set STYTCH_PROJECT_ID, /);
  assertOneProblem({ ...STYTCH, DENO_DEPLOYMENT_ID: "abc" }, /^Deno Deploy requires PUBLIC_URL/);
  assertOneProblem(
    { ...STYTCH, ...DEPLOY, PUBLIC_URL: "http://localhost:8000" },
    /^PUBLIC_URL must use https on Deno Deploy\.$/,
  );
  const problems = problemsOf({ DENO_DEPLOYMENT_ID: "abc" });
  assert.equal(problems.length, 2, problems.join("\n"));
  assertOneProblem(
    { ...DEPLOY, STYTCH_PROJECT_ID: STYTCH.STYTCH_PROJECT_ID },
    /^Stytch is partly configured/,
  );
  assertOneProblem(
    { ...DEPLOY, ...STYTCH, STYTCH_DOMAIN: "http://127.0.0.1:9999" },
    /^STYTCH_DOMAIN must use https on Deno Deploy\.$/,
  );
});

Deno.test("a complete Deno Deploy configuration uses the platform KV", () => {
  const config = parseConfig({ ...DEPLOY, ...STYTCH });
  assert.equal(config.onDenoDeploy, true);
  assert.equal(config.kvPath, undefined);
  assert.equal(config.publicUrl?.origin, "https://todo.example");
  assert.equal(config.stytch?.projectId, STYTCH.STYTCH_PROJECT_ID);
});

Deno.test("PUBLIC_URL must be an https origin (http only for loopback)", () => {
  assert.equal(
    parseConfig({ PUBLIC_URL: "http://localhost:8000/" }).publicUrl?.origin,
    "http://localhost:8000",
  );
  assertOneProblem({ PUBLIC_URL: "http://todo.example" }, /^PUBLIC_URL must use https/);
  assertOneProblem({ PUBLIC_URL: "https://todo.example/app" }, /^PUBLIC_URL must be an origin/);
  assertOneProblem({ PUBLIC_URL: "todo.example" }, /did you mean "https:\/\/todo\.example"/);
});

Deno.test("PORT, KV_PATH and MCP_ALLOWED_ORIGINS are parsed or refused by name", () => {
  const config = parseConfig({
    PORT: "9000",
    KV_PATH: ":memory:",
    MCP_ALLOWED_ORIGINS: "https://inspector.example, http://localhost:6274/",
  });
  assert.equal(config.port, 9000);
  assert.equal(config.kvPath, ":memory:");
  assert.deepEqual(config.mcp.allowedOrigins, [
    "https://inspector.example",
    "http://localhost:6274",
  ]);
  assertOneProblem({ PORT: "70000" }, /^PORT must be 1-65535$/);
  assertOneProblem(
    { MCP_ALLOWED_ORIGINS: "inspector" },
    /^MCP_ALLOWED_ORIGINS must be a comma-separated/,
  );
});

Deno.test("the tuning is lib/tuning.ts's, whatever the environment holds", () => {
  const config = parseConfig({ ...STYTCH, PORT: "9000", TRUSTED_PROXY: "1" });
  assert.deepEqual(
    {
      rateLimits: config.rateLimits,
      live: config.live,
      tokens: config.tokens,
    },
    TUNING,
  );
});

Deno.test("variables with the app's prefixes that it does not read are named, others are not", () => {
  const env = {
    ...STYTCH,
    MCP_READ_SCOPE: "todos:read",
    STYTCH_DOMIAN: "https://x.customers.stytch.dev",
    MCP_ALLOWED_ORIGINS: "https://claude.ai",
    HOME: "/root",
  };
  assert.deepEqual(unreadVariables(env), ["MCP_READ_SCOPE", "STYTCH_DOMIAN"]);
  assert.deepEqual(unreadVariables({ ...STYTCH }), []);
});

Deno.test("HOSTNAME defaults to loopback for local sign-in, is parsed, and refused by name", () => {
  assert.equal(parseConfig({}).hostname, "127.0.0.1");
  assert.equal(parseConfig({ HOSTNAME: " 0.0.0.0 " }).hostname, "0.0.0.0");
  assert.equal(parseConfig({ HOSTNAME: "[::1]" }).hostname, "::1");
  assertOneProblem({ HOSTNAME: "http://x" }, /^HOSTNAME must be an IP address or a host name/);
  assertOneProblem({ HOSTNAME: "a b" }, /^HOSTNAME must be an IP address or a host name/);
});

Deno.test("TRUSTED_PROXY defaults to 0, is parsed, and refused by name", () => {
  assert.equal(parseConfig({}).trustedProxyHops, 0);
  assert.equal(parseConfig({ TRUSTED_PROXY: " 1 " }).trustedProxyHops, 1);
  for (const value of ["true", "yes", "-1", "1.5", "10.0.0.1"]) {
    assertOneProblem({ TRUSTED_PROXY: value }, /^TRUSTED_PROXY must be the number of proxies/);
  }
  assertOneProblem({ TRUSTED_PROXY: "11" }, /^TRUSTED_PROXY must be 0-10$/);
});

/** The variable names in the first column of a Markdown table under `heading` in `markdown`. */
function tableVariables(markdown: string, heading: string): string[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  assert.ok(section, `a "## ${heading}" section`);
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm)].map((match) => match[1]);
}

Deno.test("the README's configuration table lists exactly the variables the code reads", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const listed = tableVariables(readme, "Configuration");
  assert.equal(new Set(listed).size, listed.length, `listed twice: ${listed}`);
  assert.deepEqual([...listed].sort(), [...CONFIG_VARIABLES].sort());
  assert.ok(CONFIG_VARIABLES.length <= 12, `${CONFIG_VARIABLES.length} variables`);
});

Deno.test(".env.example names only variables the code reads, and every one a person sets", async () => {
  const example = await Deno.readTextFile(new URL("../.env.example", import.meta.url));
  const named = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
  const settable = CONFIG_VARIABLES.filter((name) => name !== "DENO_DEPLOYMENT_ID");
  assert.deepEqual([...new Set(named)].sort(), [...settable].sort());
});
