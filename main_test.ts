import assert from "node:assert/strict";

const SECRET = "secret-test-abcdefghijklmnopqrstuvwxyz012345=";

/** Runs `main.ts` as `deno task start` does (same permissions, no .env) with `env` on top. */
async function start(env: Record<string, string>) {
  const { code, stderr, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read=.",
      "--allow-write=./data",
      new URL("main.ts", import.meta.url).pathname,
    ],
    env: {
      STYTCH_PROJECT_ID: "",
      STYTCH_SECRET: "",
      STYTCH_PUBLIC_TOKEN: "",
      STYTCH_DOMAIN: "",
      DENO_DEPLOYMENT_ID: "",
      PORT: "1",
      KV_PATH: ":memory:",
      ...env,
    },
    cwd: new URL(".", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, output: decode(stdout) + decode(stderr) };
}

Deno.test("a partial or malformed configuration stops start-up naming each problem", async () => {
  const { code, output } = await start({
    STYTCH_SECRET: SECRET,
    STYTCH_DOMAIN: "clever-fox.customers.stytch.dev",
    PORT: "http",
  });
  assert.equal(code, 1);
  assert.match(output, /^Invalid configuration:$/m);
  assert.match(output, /PORT must be a port number/);
  assert.match(output, /STYTCH_DOMAIN must be an absolute URL/);
  assert.match(output, /STYTCH_PROJECT_ID, STYTCH_PUBLIC_TOKEN missing/);
  assert.ok(!output.includes(SECRET), "the secret is never printed");
  assert.doesNotMatch(output, /Todo app .* on http/, "nothing was served");
});

Deno.test("a KV_PATH outside ./data stops start-up saying how to allow it", async () => {
  const { code, output } = await start({ KV_PATH: "/tmp/elsewhere/todos.sqlite3" });
  assert.equal(code, 1);
  assert.match(output, /Cannot open KV_PATH=\/tmp\/elsewhere\/todos\.sqlite3/);
  assert.match(output, /--allow-write/);
  assert.doesNotMatch(output, /NotCapable|Uncaught/);
});
