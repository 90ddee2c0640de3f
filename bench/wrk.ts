/**
 * Runs a {@linkcode Target} under wrk (`/usr/bin/wrk`, from Debian's `wrk` package) with one
 * thread and `concurrency` connections, and reads throughput and latency percentiles from its
 * report. wrk does not read answers, so the target is checked once with `fetch` beforehand.
 */
import type { Target } from "./load.ts";

/** Where the benchmark looks for wrk. */
export const WRK_PATH = "/usr/bin/wrk";

/** What one wrk run measured. */
export interface WrkResult {
  rps: number;
  /** Answers received. */
  requests: number;
  p50: number;
  p99: number;
  /** Non-2xx/3xx answers plus socket errors. */
  errors: number;
}

/** True when wrk is installed. */
export async function hasWrk(): Promise<boolean> {
  try {
    return (await Deno.stat(WRK_PATH)).isFile;
  } catch {
    return false;
  }
}

/** Runs `target` under wrk for `seconds`. */
export async function runWrk(
  target: Target,
  concurrency: number,
  seconds: number,
): Promise<WrkResult> {
  const request = target.request();
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  try {
    const headers = [...request.headers].map(([name, value]) =>
      `wrk.headers[${lua(name)}] = ${lua(value)}`
    );
    const body = request.body ? await request.text() : null;
    await Deno.writeTextFile(
      script,
      [`wrk.method = ${lua(request.method)}`, ...headers, body ? `wrk.body = ${lua(body)}` : ""]
        .join("\n"),
    );
    const { stdout, success } = await new Deno.Command(WRK_PATH, {
      args: [
        "-t1",
        `-c${concurrency}`,
        `-d${seconds}s`,
        "--latency",
        "-s",
        script,
        request.url,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const report = new TextDecoder().decode(stdout);
    if (!success) throw new Error(`wrk failed:\n${report}`);
    return parseWrkReport(report);
  } finally {
    await Deno.remove(script);
  }
}

/** Reads requests/s, the 50th and 99th latency percentiles (ms) and errors from wrk's report. */
export function parseWrkReport(report: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(report)?.[1]);
  const percentile = (p: number) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(report);
    if (!match) return NaN;
    return Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2] as "us" | "ms" | "s"];
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(report)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    report,
  );
  const socketErrors = socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0;
  const requests = Number(/(\d+) requests in/.exec(report)?.[1] ?? 0);
  return {
    rps,
    requests,
    p50: percentile(50),
    p99: percentile(99),
    errors: non2xx + socketErrors,
  };
}

/** A Lua string literal. */
const lua = (text: string) => JSON.stringify(text);
