/**
 * Start-up messages of `main.ts` as `deno task start` runs it: a port in use is one line
 * naming PORT, `.env` is read when present, silently skipped when not, and a variable with
 * the app's prefixes that it does not read is named.
 */
import assert from "node:assert/strict";
import { runMainToExit } from "./lib/testing/main_process.ts";

/** Runs main.ts in `cwd` with only `env` (plus what Deno needs) and returns its exit and output. */
function run(cwd: string, env: Record<string, string>) {
  return runMainToExit({ cwd, clearEnv: true, env: { KV_PATH: ":memory:", ...env } });
}

Deno.test("main.ts on a port already in use prints one line naming PORT, no stack trace", async () => {
  const cwd = await Deno.makeTempDir();
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  // An invalid PORT in .env also shows that the environment wins over the file.
  await Deno.writeTextFile(`${cwd}/.env`, "PORT=not-a-port\n");
  try {
    const { code, output } = await run(cwd, { PORT: String(port) });
    assert.equal(code, 1);
    assert.equal(
      output,
      `Port ${port} is already in use: stop the other server, or start on another port ` +
        `(PORT=${port + 1} deno task start).`,
    );
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("main.ts reads .env when there is one and says nothing about it when there is none", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    // No .env (a fresh clone): only the configuration problem, no warning about the file.
    const bare = await run(cwd, { PORT: "not-a-port" });
    assert.equal(bare.code, 1);
    assert.equal(bare.output, "Invalid configuration:\n  - PORT must be a port number");

    // The same problem, coming from .env this time: the file was read, and a variable the app
    // does not read is named rather than ignored.
    await Deno.writeTextFile(
      `${cwd}/.env`,
      "# local settings\nPORT=not-a-port\nMCP_READ_SCOPE=todos:read\n",
    );
    const fromFile = await run(cwd, {});
    assert.equal(fromFile.code, 1);
    assert.equal(
      fromFile.output,
      "MCP_READ_SCOPE is set but this app does not read it (see the README's configuration).\n" +
        "Invalid configuration:\n  - PORT must be a port number",
    );
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
