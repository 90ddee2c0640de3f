/**
 * The official MCP conformance suite against the running server. The suite connects without
 * OAuth, so a loopback proxy in front of the app adds a valid bearer token to every request
 * (and keeps every other header, so the DNS-rebinding scenario still reaches the Origin check).
 * Scenarios that do not apply to this server are listed, with reasons, in
 * `conformance-baseline.yml`; the suite fails on any other failure and on any listed scenario
 * that passes.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { startMcpTestEnv } from "../testing/mcp.ts";

const CONFORMANCE = "npm:@modelcontextprotocol/conformance@0.1.16";
const BASELINE = fromFileUrl(new URL("./conformance-baseline.yml", import.meta.url));
/** Scenarios that apply to this server (the baseline lists the others). */
const APPLICABLE = [
  "server-initialize",
  "ping",
  "tools-list",
  "resources-list",
  "prompts-list",
  "dns-rebinding-protection",
];
const LOCK = fromFileUrl(new URL("./conformance.lock", import.meta.url));

Deno.test("the MCP conformance suite passes every scenario that applies to this server", async () => {
  await using env = await startMcpTestEnv();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, env.app.app.fetch);
  const appOrigin = `http://127.0.0.1:${server.addr.port}`;
  const token = await env.token("user-conformance", { claims: { aud: `${appOrigin}/mcp` } });
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
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
  const results = await Deno.makeTempDir({ prefix: "mcp-conformance-" });
  try {
    const started = performance.now();
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--no-config",
        `--lock=${LOCK}`,
        "--frozen",
        CONFORMANCE,
        "server",
        "--url",
        `http://127.0.0.1:${proxy.addr.port}/mcp`,
        "--expected-failures",
        BASELINE,
        "--output-dir",
        results,
      ],
      cwd: results,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(180_000),
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    assert.equal(output.code, 0, `conformance failed (${seconds}s):\n${stdout}\n${stderr}`);
    console.log(`conformance suite: ${seconds}s`);
    for (const scenario of APPLICABLE) {
      assert.match(stdout, new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`), scenario);
    }
  } finally {
    await proxy.shutdown();
    await server.shutdown();
    await Deno.remove(results, { recursive: true });
  }
});
