/**
 * Concurrent writers (`deno task bench:writers`): 16 create-then-delete workers (bench/writes.ts)
 * on ONE user's list, beside 16 workers on 16 DIFFERENT users' lists, against the real app over
 * a file-backed KV (bench/writers_serve.ts), in interleaved rounds on loopback. Prints p50 and
 * p99 of the creates, failed creates, the `409 write_conflict` answers (to creates or deletes),
 * and the single-user / 16-user p99 ratio.
 * Options: --rounds=N --seconds=S --writers=W.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { percentile } from "./load.ts";
import { runCreates, type WriteSample } from "./writes.ts";
import { BENCH_FLAGS } from "./flags.ts";
import { readFirstLine } from "./first_line.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "4" },
    seconds: { type: "string", default: "3" },
    writers: { type: "string", default: "16" },
  },
});
const rounds = Number(values.rounds);
const durationMs = Number(values.seconds) * 1000;
const writers = Number(values.writers);

const dir = await Deno.makeTempDir({ prefix: "bench-writers-" });
const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    ...BENCH_FLAGS,
    fileURLToPath(new URL("./writers_serve.ts", import.meta.url)),
    `${dir}/kv.sqlite3`,
    String(writers),
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
try {
  const { origin, cookies } = await readFirstLine<{ origin: string; cookies: string[] }>(
    child.stdout,
  );
  const oneUser = () => runCreates(origin, cookies[0], writers, durationMs);
  const manyUsers = async () =>
    merged(await Promise.all(cookies.map((cookie) => runCreates(origin, cookie, 1, durationMs))));
  await oneUser(); // warm-up, untimed
  await manyUsers();
  const single: WriteSample[] = [];
  const many: WriteSample[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    if (round % 2 === 0) single.push(await oneUser()), many.push(await manyUsers());
    else many.push(await manyUsers()), single.push(await oneUser());
  }
  const one = merged(single);
  const all = merged(many);
  console.log(`Concurrent writers, ${writers} at once, ${rounds} x ${values.seconds} s (loopback)`);
  console.log(`machine: ${Deno.build.target}, ${navigator.hardwareConcurrency} cores`);
  console.log("                    creates   p50 ms   p99 ms  409 conflicts  failed creates");
  for (const [name, sample] of [["1 user", one], [`${writers} users`, all]] as const) {
    console.log(
      `${name.padEnd(18)} ${String(sample.latencies.length).padStart(8)} ${
        fmt(percentile(sample.latencies, 50))
      } ${fmt(percentile(sample.latencies, 99))} ${String(sample.conflicts).padStart(14)} ${
        String(sample.errors).padStart(15)
      }${sample.firstError ? `  first: ${sample.firstError}` : ""}`,
    );
  }
  const ratio = percentile(one.latencies, 99) / percentile(all.latencies, 99);
  console.log(`p99 ratio, 1 user / ${writers} users: ${ratio.toFixed(2)}x`);
} finally {
  child.kill();
  await child.status;
  await Deno.remove(dir, { recursive: true });
}

function fmt(ms: number): string {
  return ms.toFixed(1).padStart(8);
}

function merged(samples: WriteSample[]): WriteSample {
  return {
    latencies: samples.flatMap((s) => s.latencies),
    errors: samples.reduce((n, s) => n + s.errors, 0),
    conflicts: samples.reduce((n, s) => n + s.conflicts, 0),
    durationMs: samples.reduce((n, s) => n + s.durationMs, 0),
    firstError: samples.find((s) => s.firstError)?.firstError,
  };
}
