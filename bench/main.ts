/**
 * Benchmark (`deno task bench`): the app's list-shaped paths against the limit, a bare
 * `Deno.serve` doing one `kv.list` of the same todos in the same file-backed KV.
 *
 * Reads: bare, REST `GET /api/todos`, MCP `tools/call listTodos` (2025-11-25 and 2026-07-28
 * eras), the page `GET /todoapp` (plain and gzip'd), 100 todos of one user, and the same
 * `tools/call` in each era answered by the MCP SDK on its own (bench/sdk_alone.ts: a fresh server
 * per POST, one tool, the same answer; each era's MCP figure is a ratio against that era's, in
 * the rounds and in alternated slices of the two alone; REST and the page are also measured
 * against the bare server in alternated slices),
 * driven by wrk (`-t1 -c16`) when /usr/bin/wrk exists, else by a Deno client with the same
 * concurrency, in interleaved rounds (medians reported). Writes: REST create on lists of 10, 100
 * and ~1,000 todos. Also the app's RSS before and after, and the size of answers plain and gzip'd.
 * The app, the baseline and the SDK alone each run in their own process (bench/serve.ts,
 * bench/bare.ts, bench/sdk_alone.ts).
 * Memory: the app's RSS after the load against the bare server's after its own, then a soak
 * (every target in turn, one second each) with the app's RSS taken after each second: the
 * median around a third of it against the median at its end (minute 1 and minute 3 with
 * `--soak=180`).
 * Options: --rounds=N --seconds=S --concurrency=C --todos=N --client=wrk|deno, --soak=S
 * (default 60 seconds; 0 skips it), and --list-cache=BYTES (the app's list cache bound; 0 makes
 * every read list its todos from KV, as bare does, so REST and MCP are compared doing the same
 * KV work).
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { percentile, runLoad, type Sample, type Target } from "./load.ts";
import { bareList, type BenchServer, mcpList2025, mcpList2026, page, restList } from "./targets.ts";
import { runCreates } from "./writes.ts";
import { hasWrk, runWrk } from "./wrk.ts";
import { BENCH_FLAGS } from "./flags.ts";
import { readFirstLine } from "./first_line.ts";
import { measureCacheBounds, printCacheBounds } from "./cache_bounds.ts";
import { START_V8_FLAGS } from "../lib/testing/main_process.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "2" },
    concurrency: { type: "string", default: "16" },
    todos: { type: "string", default: "100" },
    client: { type: "string" },
    soak: { type: "string", default: "60" },
    "list-cache": { type: "string" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const todos = Number(values.todos);
const soakSeconds = Number(values.soak);
const useWrk = values.client ? values.client === "wrk" : await hasWrk();

/** Pairs of alternated slices of an app target and its baseline alone, per comparison. */
const PAIRS = 8;
/** Length of one such slice. */
const PAIR_SECONDS = 1;

/** Share of the soak each RSS median is taken over (in 60 s: two rounds of its targets). */
const SOAK_WINDOW = 0.2;

/** Linux reports CPU times in USER_HZ ticks, 100 per second. */
const CLOCK_TICKS_PER_SECOND = 100;

/** One round's figures for one target. */
interface Round {
  rps: number;
  /** CPU time the serving process spent per answer, in ms (all its threads; Linux). */
  cpuMs: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
}

const dir = await Deno.makeTempDir({ prefix: "bench-" });
const kvPath = `${dir}/kv.sqlite3`;
const children: Deno.ChildProcess[] = [];
let appPid = NaN;
try {
  const listCache = values["list-cache"];
  const app = spawn(
    "serve.ts",
    START_V8_FLAGS,
    kvPath,
    String(todos),
    String(concurrency),
    ...(listCache === undefined ? [] : [listCache]),
  );
  const server = await readFirstLine(app.stdout) as BenchServer;
  appPid = app.pid;
  const bare = spawn("bare.ts", [], kvPath, server.userId);
  const { origin: bareOrigin } = await readFirstLine(bare.stdout) as { origin: string };
  // The SDK alone runs as the app does, so the MCP rows compare the code; the bare server runs
  // as a plain `Deno.serve` would (the memory bound is against it as it is).
  const sdkAlone = spawn("sdk_alone.ts", START_V8_FLAGS, kvPath, server.userId);
  const { origin: sdkOrigin } = await readFirstLine(sdkAlone.stdout) as { origin: string };

  const bareT = bareList(bareOrigin, todos);
  const sdk25T = mcpList2025(server, todos, sdkOrigin);
  const sdk26T = mcpList2026(server, todos, sdkOrigin);
  const [restT, mcp25T, mcp26T, pageT] = [
    restList(server, todos),
    mcpList2025(server, todos),
    mcpList2026(server, todos),
    page(server, todos),
  ];
  const targets = [bareT, restT, mcp25T, mcp26T, pageT, page(server, todos, true), sdk25T, sdk26T];
  /** The process that answers `target`, whose CPU time is measured. */
  const pidOf = (target: Target) =>
    target === bareT ? bare.pid : target === sdk25T || target === sdk26T ? sdkAlone.pid : app.pid;
  for (const target of targets) await checkOnce(target);
  const cpu = (await Deno.readTextFile("/proc/cpuinfo").catch(() => ""))
    .match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
  console.log(
    `${navigator.hardwareConcurrency} cores (${cpu}), Deno ${Deno.version.deno}, ${
      useWrk ? "wrk -t1" : "Deno client"
    } -c${concurrency}, ${todos} todos, file KV, list cache ${listCache ?? "default"}, app and ` +
      `SDK alone ${START_V8_FLAGS.join(" ") || "without V8 flags"} (as \`deno task start\`), ` +
      `bare without; ${rounds} interleaved rounds of ${seconds}s per target after a warm-up ` +
      "round; medians of the rounds",
  );
  const rssBefore = await rssMb(app.pid);
  /** The bare server's RSS right after its latest round. */
  let bareRss = NaN;

  const measure = async (target: Target, secs: number): Promise<Round> => {
    const pid = pidOf(target);
    const before = await cpuMs(pid);
    let round: Round;
    let requests: number;
    if (useWrk) {
      const result = await runWrk(target, concurrency, secs);
      round = { ...result, cpuMs: NaN };
      requests = result.requests;
    } else {
      const sample = await runLoad(target, concurrency, secs * 1000);
      round = roundOf(sample);
      requests = sample.latencies.length + sample.errors;
    }
    round.cpuMs = (await cpuMs(pid) - before) / requests;
    if (target === bareT) bareRss = await rssMb(bare.pid);
    return round;
  };
  for (const target of targets) await measure(target, 1);
  const reads = new Map<Target, Round[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no target always runs first (or last).
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(round + i) % targets.length];
      reads.get(target)!.push(await measure(target, seconds));
    }
  }

  // The app against its baselines in alternated slices of their own (ABBA), so each is measured
  // as warm and as idle as the other: in the rounds above the app also serves the other targets
  // between its rounds of one while the baseline's process waits, and a process that waited
  // answers its next calls at up to twice the CPU.
  const alternated = async (app: Target, alone: Target) => {
    const ratios = { rps: [] as number[], cpu: [] as number[] };
    for (let pair = 0; pair < PAIRS; pair++) {
      const first = pair % 2 === 0 ? app : alone;
      const a = await measure(first, PAIR_SECONDS);
      const b = await measure(first === app ? alone : app, PAIR_SECONDS);
      const [mine, its] = first === app ? [a, b] : [b, a];
      ratios.rps.push(mine.rps / its.rps);
      ratios.cpu.push(its.cpuMs / mine.cpuMs);
    }
    const [rps, cpu] = [percentile(ratios.rps, 50), percentile(ratios.cpu, 50)];
    return `${rps.toFixed(2).padStart(5)}x ${cpu.toFixed(2).padStart(9)}x`;
  };
  const alongside25 = await alternated(mcp25T, sdk25T);
  const alongside26 = await alternated(mcp26T, sdk26T);
  const restAlongside = await alternated(restT, bareT);
  const pageAlongside = await alternated(pageT, bareT);

  const sizes = Object.keys(server.writers);
  const writes = new Map<string, Round[]>(sizes.map((size) => [size, []]));
  for (const size of sizes) {
    await runCreates(server.origin, server.writers[size].cookie, concurrency, 500);
  }
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[(round + i) % sizes.length];
      const sample = await runCreates(
        server.origin,
        server.writers[size].cookie,
        concurrency,
        seconds * 1000,
      );
      writes.get(size)!.push(roundOf(sample));
    }
  }
  const rssAfter = await rssMb(app.pid);
  const soak = soakSeconds > 0
    ? await runSoak([restT, mcp25T, mcp26T, pageT, page(server, todos, true)], server)
    : null;

  const row = (name: string, r: Round, ratio: string) =>
    console.log(
      [
        name.padEnd(38),
        r.rps.toFixed(0).padStart(7),
        r.p50.toFixed(2).padStart(8),
        r.p99.toFixed(2).padStart(8),
        (Number.isNaN(r.cpuMs) ? "-" : r.cpuMs.toFixed(3)).padStart(8),
        String(r.errors).padStart(7),
        ratio.padStart(10),
      ].join(" "),
    );
  const medians = new Map(targets.map((t) => [t, medianRound(reads.get(t)!)]));
  const of = (t: Target) => medians.get(t)!;
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  console.log("");
  console.log(
    "reads (100 todos)                        req/s  p50 ms  p99 ms  cpu ms  errors   vs bare",
  );
  for (const target of targets) {
    row(target.name, of(target), x(of(target).rps, of(bareT).rps));
    const failed = reads.get(target)!.find((r) => r.firstError)?.firstError;
    if (failed) console.log(`  first error: ${failed}`);
  }
  console.log("");
  console.log(
    "writes: REST POST /api/todos           creates/s  p50 ms  p99 ms  cpu ms  errors  p50 vs 10",
  );
  const write = (size: string) => medianRound(writes.get(size)!);
  for (const size of sizes) {
    const seeded = server.writers[size].seeded;
    row(`create on a list of ${seeded}`, write(size), x(write(size).p50, write("10").p50));
    const failed = writes.get(size)!.find((r) => r.firstError)?.firstError;
    if (failed) console.log(`  first error: ${failed}`);
  }
  console.log("");
  // Each round's ratio pairs two runs made seconds apart, so a machine whose load changes
  // during the benchmark skews it less than a ratio of medians taken over the whole run.
  // The CPU ratio (server CPU per answer, the inverse) holds even when other processes take
  // the cores: it is what the throughput ratio would be on a machine left to the benchmark.
  const paired = (a: Target, b: Target) => {
    const [as, bs] = [reads.get(a)!, reads.get(b)!];
    const rps = percentile(as.map((r, i) => r.rps / bs[i].rps), 50);
    const cpu = percentile(as.map((r, i) => bs[i].cpuMs / r.cpuMs), 50);
    return `${rps.toFixed(2).padStart(5)}x ${cpu.toFixed(2).padStart(9)}x`;
  };
  console.log("ratios (median of the rounds' ratios)  by req/s   by CPU");
  console.log(`  REST / bare                         ${paired(restT, bareT)}`);
  console.log(`  MCP 2025-11-25 / REST               ${paired(mcp25T, restT)}`);
  console.log(`  MCP 2026-07-28 / REST               ${paired(mcp26T, restT)}`);
  console.log(`  MCP 2025-11-25 / MCP SDK alone      ${paired(mcp25T, sdk25T)}`);
  console.log(`  MCP 2026-07-28 / MCP SDK alone      ${paired(mcp26T, sdk26T)}`);
  console.log(`  page / bare                         ${paired(pageT, bareT)}`);
  console.log(`    alternated, ${PAIRS} pairs of ${PAIR_SECONDS} s:`);
  console.log(`    REST / bare                       ${restAlongside}`);
  console.log(`    page / bare                       ${pageAlongside}`);
  console.log(`    MCP 2025-11-25 / MCP SDK alone    ${alongside25}`);
  console.log(`    MCP 2026-07-28 / MCP SDK alone    ${alongside26}`);
  console.log(
    `  create p50 at ${server.writers["1000"].seeded} / at 10           ${
      x(write("1000").p50, write("10").p50)
    }`,
  );
  console.log("");
  console.log("answer sizes (bytes)");
  for (const [name, bytes] of Object.entries(server.sizes)) {
    console.log(`  ${name.padEnd(28)} ${String(bytes).padStart(8)}`);
  }
  console.log("");
  console.log(`memory (RSS; ${navigator.hardwareConcurrency} cores, ${cpu})`);
  console.log(
    `  app ${rssBefore.toFixed(0)} MB before load, ${rssAfter.toFixed(0)} MB after; bare ${
      bareRss.toFixed(0)
    } MB after its load: app / bare ${x(rssAfter, bareRss)} (bound: 2x)`,
  );
  if (soak) {
    console.log(
      `  soak of ${soakSeconds} s, RSS each second, medians over ${soak.window.toFixed(0)} s: ` +
        `app ${soak.early.toFixed(0)} MB around ${(soakSeconds / 3).toFixed(0)} s, ` +
        `${soak.late.toFixed(0)} MB at the end: ${x(soak.late, soak.early)} (bound: 1.10x)`,
    );
  }
  console.log("");
  printCacheBounds(await measureCacheBounds());
} finally {
  for (const child of children) {
    child.kill();
    await child.status;
  }
  await Deno.remove(dir, { recursive: true });
}

/** Runs `file` of bench/ in its own process, with `v8Flags` besides the benchmark's flags. */
function spawn(file: string, v8Flags: string[], ...args: string[]): Deno.ChildProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...BENCH_FLAGS,
      ...v8Flags,
      fileURLToPath(new URL(`./${file}`, import.meta.url)),
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  children.push(child);
  return child;
}

/** Sends `target` once and stops the benchmark unless the answer is the expected one. */
async function checkOnce(target: Target): Promise<void> {
  const response = await fetch(target.request());
  const body = await response.text();
  if (!target.check(response.status, body)) {
    throw new Error(`${target.name}: unexpected answer ${response.status} ${body.slice(0, 300)}`);
  }
}

/**
 * Sends every read target and creates of the 100-todo writer in turn, one second each, for
 * `soakSeconds`, taking the app's RSS after each second; the medians of those taken in a window
 * of `SOAK_WINDOW` of the soak centred on its first third and of those in the last such window.
 * One reading lands anywhere between two full garbage collections (tens of MB apart); a median
 * over two rounds of the targets does not, and a leak still raises it.
 */
async function runSoak(
  reads: Target[],
  server: BenchServer,
): Promise<{ early: number; late: number; window: number }> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const samples: { at: number; mb: number }[] = [];
  for (let i = 0; elapsed() < soakSeconds; i++) {
    const target = reads[i % (reads.length + 1)];
    if (target) await runLoad(target, concurrency, 1000);
    else await runCreates(server.origin, server.writers["100"].cookie, concurrency, 1000);
    samples.push({ at: elapsed(), mb: await rssMb(appPid) });
  }
  const window = soakSeconds * SOAK_WINDOW;
  // A window with no reading (a soak of a few seconds) takes the reading nearest to it.
  const medianWithin = (from: number, to: number) => {
    const within = samples.filter(({ at }) => at >= from && at <= to);
    const nearest = () =>
      samples.reduce((a, b) =>
        Math.abs(b.at - (from + to) / 2) < Math.abs(a.at - (from + to) / 2) ? b : a
      );
    return percentile((within.length > 0 ? within : [nearest()]).map(({ mb }) => mb), 50);
  };
  const third = soakSeconds / 3;
  return {
    early: medianWithin(third - window / 2, third + window / 2),
    late: medianWithin(soakSeconds - window, soakSeconds + window),
    window,
  };
}

function roundOf(sample: Sample): Round {
  return {
    rps: sample.latencies.length / (sample.durationMs / 1000),
    cpuMs: NaN,
    p50: percentile(sample.latencies, 50),
    p99: percentile(sample.latencies, 99),
    errors: sample.errors,
    firstError: sample.firstError,
  };
}

/** Median of each figure across rounds (errors summed). */
function medianRound(list: Round[]): Round {
  const median = (pick: (r: Round) => number) => percentile(list.map(pick), 50);
  return {
    rps: median((r) => r.rps),
    cpuMs: median((r) => r.cpuMs),
    p50: median((r) => r.p50),
    p99: median((r) => r.p99),
    errors: list.reduce((n, r) => n + r.errors, 0),
  };
}

/** CPU time (user + system, all threads) process `pid` has used, in ms (Linux), or NaN. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
  // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 1000 / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of process `pid` in MB (Linux), or NaN. */
async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}
