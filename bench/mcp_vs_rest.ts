/**
 * Benchmark (`deno task bench`): throughput and latency of `tools/call listTodos` in the
 * 2025-11-25 and the 2026-07-28 era against REST `GET /api/todos`, on the same 100 todos of
 * one user in a file-backed KV, in one run with interleaved rounds and fixed concurrency.
 * The server runs in its own process (bench/serve.ts) so the load generator does not share
 * its event loop. Options: --rounds=N --seconds=S --concurrency=C --todos=N.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { mergeSamples, percentile, runLoad, type Sample, type Target } from "./load.ts";
import { type BenchServer, mcpList2025, mcpList2026, restList } from "./targets.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "2" },
    concurrency: { type: "string", default: "16" },
    todos: { type: "string", default: "100" },
  },
});
const rounds = Number(values.rounds);
const durationMs = Number(values.seconds) * 1000;
const concurrency = Number(values.concurrency);
const todos = Number(values.todos);

const dir = await Deno.makeTempDir({ prefix: "bench-mcp-" });
const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    fileURLToPath(new URL("./serve.ts", import.meta.url)),
    `${dir}/kv.sqlite3`,
    String(todos),
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
try {
  const server = await readFirstLine(child.stdout) as BenchServer;
  const targets = [restList(server, todos), mcpList2025(server, todos), mcpList2026(server, todos)];
  console.log(
    `${todos} todos, concurrency ${concurrency}, ${rounds} interleaved rounds of ${
      durationMs / 1000
    }s per target (after a warm-up round)`,
  );
  for (const target of targets) await runLoad(target, concurrency, Math.min(durationMs, 1000));
  const samples = new Map<Target, Sample[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no target always runs first (or last).
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(round + i) % targets.length];
      samples.get(target)!.push(await runLoad(target, concurrency, durationMs));
    }
  }
  const rows = targets.map((target) => ({
    target,
    ...summarize(mergeSamples(samples.get(target)!)),
  }));
  const rest = rows[0];
  console.log("");
  console.log(
    "target                                  req/s     p50 ms   p99 ms   errors   vs REST",
  );
  for (const row of rows) {
    console.log(
      [
        row.target.name.padEnd(38),
        row.rps.toFixed(0).padStart(7),
        row.p50.toFixed(2).padStart(10),
        row.p99.toFixed(2).padStart(8),
        String(row.errors).padStart(8),
        `${(row.rps / rest.rps).toFixed(2)}x`.padStart(9),
      ].join(" "),
    );
    if (row.firstError) console.log(`  first error: ${row.firstError}`);
  }
} finally {
  child.kill();
  await child.status;
  await Deno.remove(dir, { recursive: true });
}

function summarize(sample: Sample) {
  return {
    rps: sample.latencies.length / (sample.durationMs / 1000),
    p50: percentile(sample.latencies, 50),
    p99: percentile(sample.latencies, 99),
    errors: sample.errors,
    firstError: sample.firstError,
  };
}

async function readFirstLine(stream: ReadableStream<Uint8Array>): Promise<unknown> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("the benchmark server exited before it listened");
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return JSON.parse(text.slice(0, text.indexOf("\n")));
}
