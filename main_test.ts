import assert from "node:assert/strict";
import { freePort, runMainToExit, spawnMain } from "./lib/testing/main_process.ts";
import { SIGN_INS_PER_MINUTE } from "./lib/tuning.ts";

const SECRET = "secret-test-abcdefghijklmnopqrstuvwxyz012345=";

/** Runs `main.ts` to its exit with `env` on top of a local-mode environment. */
function start(env: Record<string, string>) {
  return runMainToExit({
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
  });
}

/**
 * Starts `main.ts` as a server with `env` and waits for its start-up line; `output` is what
 * it printed until then. `await using` stops it.
 */
async function serve(env: Record<string, string>) {
  const child = spawnMain({ env: { DENO_DEPLOYMENT_ID: "", ...env } }, "null");
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  while (!/Todo app .*\n/.test(output)) {
    const { value, done } = await reader.read();
    if (done) break;
    output += value;
  }
  reader.cancel();
  return {
    output,
    async [Symbol.asyncDispose]() {
      child.kill();
      await child.status;
    },
  };
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
  const port = freePort("127.0.0.1");
  await using server = await serve({ PORT: String(port), KV_PATH: ":memory:", HOSTNAME: "" });
  assert.match(server.output, /listening on 127\.0\.0\.1 only/);
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
});

Deno.test("deno task start makes the KV folder 0700 and its files 0600, tightening old ones", async () => {
  const folder = new URL(`./data/test-${crypto.randomUUID()}/`, import.meta.url);
  await Deno.mkdir(folder, { recursive: true });
  await Deno.chmod(folder, 0o755);
  const file = new URL("todos.sqlite3", folder);
  await Deno.writeFile(file, new Uint8Array(), { mode: 0o644 });
  await Deno.chmod(file, 0o644);
  const kvPath = `./data/${folder.pathname.split("/").at(-2)}/todos.sqlite3`;
  try {
    await using server = await serve({
      PORT: String(freePort("127.0.0.1")),
      KV_PATH: kvPath,
      HOSTNAME: "127.0.0.1",
    });
    assert.match(server.output, /Todo app/);
    const lines = server.output.split("\n").filter((line) => line.includes("readable by others"));
    assert.equal(lines.length, 1, server.output);
    assert.match(lines[0], /test-[0-9a-f-]+\/ 0755->0700, .*todos\.sqlite3 0644->0600/);
    assert.equal((await Deno.stat(folder)).mode! & 0o777, 0o700);
    for (const suffix of ["", "-wal", "-shm"]) {
      const info = await Deno.stat(new URL(`todos.sqlite3${suffix}`, folder)).catch(() => null);
      if (info) assert.equal(info.mode! & 0o777, 0o600, suffix);
    }
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("deno task start limits sign-ins per client address (the TCP peer reaches the app)", async () => {
  const port = freePort("::");
  await using _server = await serve({ PORT: String(port), KV_PATH: ":memory:", HOSTNAME: "::" });
  // Keep both sign-ins from one address in the same minute.
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
  const signIn = async (host: string) => {
    const origin = `http://${host}:${port}`;
    const response = await fetch(`${origin}/login`, {
      method: "POST",
      headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=ada%40example.com&returnTo=%2Ftodoapp",
      redirect: "manual",
    });
    await response.body?.cancel();
    return response.status;
  };
  for (let n = 0; n < SIGN_INS_PER_MINUTE; n++) assert.ok((await signIn("127.0.0.1")) < 400);
  assert.equal(await signIn("127.0.0.1"), 429);
  // Another address (IPv6 loopback) has its own count: main.ts passes the peer on.
  assert.ok((await signIn("[::1]")) < 400);
});
