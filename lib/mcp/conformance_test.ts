/**
 * The official MCP conformance suites against the running server: 0.1.16 (2025 revisions)
 * and the 0.2.0-alpha.12 pre-release with `--requirements 2026-07-28` and again with
 * `--requirements 2025-11-25`, the three at once against one app. The suites connect without
 * OAuth, so a loopback proxy per run adds a valid bearer token (for its own user) to every
 * request and keeps every other header, so the DNS-rebinding scenario still reaches the
 * Origin check. Scenarios that do not apply are listed, with reasons, in each run's baseline;
 * a run fails on any other failure and on any listed scenario that passes. Dependencies are
 * pinned by lock files, so CI resolves exactly these versions.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { startMcpTestEnv } from "../testing/mcp.ts";

const here = (file: string) => fromFileUrl(new URL(file, import.meta.url));
const ALPHA = "npm:@modelcontextprotocol/conformance@0.2.0-alpha.12";

interface Run {
  name: string;
  specifier: string;
  lock: string;
  baseline: string;
  args: string[];
  /** Scenarios that must pass in full (every check). */
  mustPass: string[];
}

/** The scenarios every run of the 2025 requirements must pass (the others need fixture tools). */
const MUST_PASS_2025 = [
  "server-initialize",
  "ping",
  "tools-list",
  "resources-list",
  "prompts-list",
  "dns-rebinding-protection",
];

const RUNS: Run[] = [{
  name: "0.1.16",
  specifier: "npm:@modelcontextprotocol/conformance@0.1.16",
  lock: here("./conformance.lock"),
  baseline: here("./conformance-baseline.yml"),
  args: [],
  mustPass: MUST_PASS_2025,
}, {
  name: "0.2.0-alpha.12 --requirements 2026-07-28",
  specifier: ALPHA,
  lock: here("./conformance-alpha.lock"),
  baseline: here("./conformance-2026-baseline.yml"),
  args: ["--requirements", "2026-07-28"],
  mustPass: [
    "tools-list",
    "resources-list",
    "prompts-list",
    "sep-2164-resource-not-found",
    "dns-rebinding-protection",
    "caching",
    "http-header-validation",
  ],
}, {
  name: "0.2.0-alpha.12 --requirements 2025-11-25",
  specifier: ALPHA,
  lock: here("./conformance-alpha.lock"),
  baseline: here("./conformance-2025-baseline.yml"),
  args: ["--requirements", "2025-11-25"],
  mustPass: MUST_PASS_2025,
}];

/**
 * The checks of server-stateless (2026-07-28) that may fail: each needs a diagnostic fixture
 * tool of the reference server. All its other checks must pass.
 */
const STATELESS_FIXTURE_CHECKS = new Set([
  "sep-2575-server-rejects-undeclared-capability",
  "sep-2575-missing-capability-http-400",
  "sep-2575-http-server-no-independent-requests-on-stream",
  "sep-2575-server-no-log-without-loglevel",
]);

Deno.test("the MCP conformance suites pass every scenario that applies to this server", async () => {
  await using env = await startMcpTestEnv();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, env.app.app.fetch);
  const appOrigin = `http://127.0.0.1:${server.addr.port}`;
  const proxies: Deno.HttpServer<Deno.NetAddr>[] = [];
  const results = await Deno.makeTempDir({ prefix: "mcp-conformance-" });
  try {
    const outcomes = await Promise.all(RUNS.map(async (run, index) => {
      const token = await env.token(`user-conformance-${index}`, {
        claims: { aud: `${appOrigin}/mcp` },
      });
      const proxy = startTokenProxy(appOrigin, token);
      proxies.push(proxy);
      const outputDir = `${results}/${index}`;
      await Deno.mkdir(outputDir);
      return { run, outputDir, ...(await runSuite(run, proxy.addr.port, outputDir)) };
    }));
    for (const { run, outputDir, code, stdout, seconds } of outcomes) {
      if (code !== 0) {
        const details = await unexpectedFailures(stdout, outputDir);
        assert.fail(`conformance ${run.name} failed (${seconds}s):\n${stdout}\n${details}`);
      }
      console.log(`conformance ${run.name}: ${seconds}s, ${summary(stdout)}`);
      for (const scenario of run.mustPass) {
        assert.match(stdout, new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`), scenario);
      }
      if (run.args.includes("2026-07-28")) await assertStatelessChecks(outputDir);
    }
  } finally {
    for (const proxy of proxies) await proxy.shutdown();
    await server.shutdown();
    await Deno.remove(results, { recursive: true });
  }
});

/** A loopback proxy to `appOrigin` that sends `token` as the bearer token. */
function startTokenProxy(appOrigin: string, token: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.delete("Host");
    headers.set("Authorization", `Bearer ${token}`);
    return fetch(new URL(url.pathname + url.search, appOrigin), {
      method: req.method,
      headers,
      body: req.body,
      redirect: "manual",
    });
  });
}

async function runSuite(run: Run, port: number, outputDir: string) {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--no-config",
      `--lock=${run.lock}`,
      "--frozen",
      run.specifier,
      "server",
      "--url",
      `http://127.0.0.1:${port}/mcp`,
      ...run.args,
      "--expected-failures",
      run.baseline,
      "--output-dir",
      outputDir,
    ],
    cwd: outputDir,
    // The tests' DENO_CERT names a path relative to the project: absolute here, where the
    // working directory is another.
    env: {
      NO_COLOR: "1",
      DENO_CERT: here("../testing/tls/ca.pem"),
    },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(180_000),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: output.code,
    stdout: `${decode(output.stdout)}\n${decode(output.stderr)}`,
    seconds: ((performance.now() - started) / 1000).toFixed(1),
  };
}

/** "N scenarios passed, M baselined" from a run's output. */
function summary(stdout: string): string {
  const passed = stdout.match(/^✓ /gm)?.length ?? 0;
  const failed = stdout.match(/^✗ /gm)?.length ?? 0;
  return `${passed} scenarios passed, ${failed} failed as baselined`;
}

/** Every check of server-stateless passed except those needing fixture tools. */
async function assertStatelessChecks(outputDir: string): Promise<void> {
  const dirs = await Array.fromAsync(Deno.readDir(outputDir));
  const dir = dirs.find((entry) => entry.name.startsWith("server-server-stateless-"));
  assert.ok(dir, "server-stateless ran");
  const checks: { id: string; status: string }[] = JSON.parse(
    await Deno.readTextFile(`${outputDir}/${dir.name}/checks.json`),
  );
  const failed = checks.filter((c) => c.status === "FAILURE").map((c) => c.id);
  assert.deepEqual(
    failed.filter((id) => !STATELESS_FIXTURE_CHECKS.has(id)),
    [],
    "server-stateless",
  );
  assert.ok(checks.filter((c) => c.status === "SUCCESS").length >= 20, "server-stateless passes");
}

/** The failed checks of the scenarios a run reports as unexpected failures. */
async function unexpectedFailures(stdout: string, outputDir: string): Promise<string> {
  const unexpected = stdout.slice(stdout.indexOf("Unexpected failures"))
    .match(/✗ [\w-]+/g)?.map((line) => line.slice(2)) ?? [];
  const lines: string[] = [];
  for await (const entry of Deno.readDir(outputDir)) {
    const scenario = unexpected.find((name) => entry.name.startsWith(`server-${name}-`));
    if (!scenario) continue;
    const checks = JSON.parse(await Deno.readTextFile(`${outputDir}/${entry.name}/checks.json`));
    for (const check of checks.filter((c: { status: string }) => c.status === "FAILURE")) {
      lines.push(
        `${scenario}: ${check.id}: ${check.errorMessage ?? ""} ${
          JSON.stringify(check.details ?? {})
        }`,
      );
    }
  }
  return lines.join("\n");
}
