/**
 * Cold start (`deno task bench:cold`): the time from spawning a process to its first answer,
 * for `main.ts` as `deno task start` runs it (to `/` and to `/login`) and for the bare
 * `Deno.serve` + KV server of the benchmark (bench/bare.ts), alternated run by run so both see
 * the same machine. Modules are cached after the first run, as on a warm Deno Deploy region.
 * Prints the machine, the median and worst of each, and each median against the bare server's
 * (ratio and difference in ms; the target is at most 120 ms more). Not a test.
 */
import { freePort, spawnMain } from "../lib/testing/main_process.ts";

const RUNS = Number(Deno.args[0] ?? 15);

/** Milliseconds from `start()` until `url` answers (any status), polling every 5 ms. */
async function firstAnswer(start: () => Deno.ChildProcess, url: string): Promise<number> {
  const started = performance.now();
  const child = start();
  let exited = false;
  child.status.then(() => exited = true);
  try {
    for (;;) {
      if (exited) throw new Error(`${url}: the process exited before answering`);
      const answered = await fetch(url).then(async (res) => {
        await res.body?.cancel();
        return true;
      }, () => false);
      if (answered) return performance.now() - started;
      if (performance.now() - started > 30_000) throw new Error(`${url}: no answer in 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    if (!exited) child.kill();
    await child.status;
  }
}

// Under ./data, the only folder `deno task start` may write.
const name = `bench-cold-${crypto.randomUUID()}`;
const dir = new URL(`../data/${name}`, import.meta.url).pathname;
await Deno.mkdir(dir, { recursive: true });
const kvPath = `./data/${name}/todos.sqlite3`;
const times: Record<string, number[]> = { "main.ts /": [], "main.ts /login": [], "bare": [] };
try {
  for (let run = 0; run <= RUNS; run++) {
    for (const [name, path] of [["main.ts /", "/"], ["main.ts /login", "/login"]]) {
      const port = freePort();
      const ms = await firstAnswer(
        () =>
          spawnMain({
            env: {
              PORT: `${port}`,
              HOSTNAME: "127.0.0.1",
              KV_PATH: kvPath,
              DENO_DEPLOYMENT_ID: "",
            },
          }, "null"),
        `http://127.0.0.1:${port}${path}`,
      );
      if (run > 0) times[name].push(ms); // run 0 fills Deno's caches
    }
    const port = freePort();
    const bare = new URL("./bare.ts", import.meta.url).pathname;
    const ms = await firstAnswer(
      () =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", bare, kvPath, "user", `${port}`],
          stdout: "null",
          stderr: "null",
        }).spawn(),
      `http://127.0.0.1:${port}/`,
    );
    if (run > 0) times.bare.push(ms);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[xs.length >> 1];
const cpu = (await Deno.readTextFile("/proc/cpuinfo").catch(() => ""))
  .match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
const load = Deno.loadavg().map((x) => x.toFixed(1)).join(" ");
console.log(
  `${navigator.hardwareConcurrency} cores (${cpu}), Deno ${Deno.version.deno}, load average ` +
    `${load}; ${RUNS} alternated runs each after one that fills the caches`,
);
for (const [name, xs] of Object.entries(times)) {
  console.log(
    `${name.padEnd(16)} median ${median(xs).toFixed(0)} ms, worst ${Math.max(...xs).toFixed(0)} ms`,
  );
}
const bareMs = median(times.bare);
for (const name of ["main.ts /", "main.ts /login"]) {
  const ms = median(times[name]);
  console.log(
    `${name.padEnd(16)} ${(ms / bareMs).toFixed(2)}x bare, ${(ms - bareMs).toFixed(0)} ms more ` +
      `(target: at most 120 ms more): ${ms - bareMs <= 120 ? "met" : "not met"}`,
  );
}
