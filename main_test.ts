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

Deno.test("deno task start with local sign-in listens on 127.0.0.1 only", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read=.",
      "--allow-write=./data",
      "main.ts",
    ],
    env: { PORT: String(port), KV_PATH: ":memory:", HOSTNAME: "", DENO_DEPLOYMENT_ID: "" },
    cwd: new URL(".", import.meta.url),
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let output = "";
    while (!/Todo app .*\n/.test(output)) {
      const { value, done } = await reader.read();
      if (done) break;
      output += value;
    }
    reader.cancel();
    assert.match(output, /listening on 127\.0\.0\.1 only/);
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    const lan = Deno.networkInterfaces().find((i) =>
      i.family === "IPv4" && !/^127\./.test(i.address)
    );
    if (lan) {
      await assert.rejects(
        () => Deno.connect({ hostname: lan.address, port }),
        Deno.errors.ConnectionRefused,
      );
    }
  } finally {
    child.kill();
    await child.status;
  }
});
