/**
 * `main.ts` run as `deno task start` runs it, for start-up and process tests: the start task's
 * own command line (read from deno.json, so the tests and the task cannot drift apart), runs
 * to an exit or until it listens, always bounded.
 */

const ROOT = new URL("../..", import.meta.url);

/** `deno task start`'s arguments after `deno`: `run`, its permissions, `main.ts` (from deno.json). */
export const START_ARGS: string[] = (() => {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  const start = config.tasks.start; // a command, or { command, dependencies }
  const command = typeof start === "string" ? start : start?.command;
  const run = String(command).split("&&").map((part) => part.trim())
    .find((part) => part.startsWith("deno run "));
  if (!run) throw new Error("deno.json's start task has no `deno run` step");
  return run.split(/\s+/).slice(1);
})();

/** `deno task start`'s `--v8-flags=` arguments, for a process that serves the app as it does. */
export const START_V8_FLAGS: string[] = START_ARGS.filter((arg) => arg.startsWith("--v8-flags="));

/** The project folder, where `deno task start` runs. */
export const PROJECT_DIR: string = ROOT.pathname;

/** What Deno itself needs from the environment, for processes started with `clearEnv`. */
export function denoEnv(): Record<string, string> {
  const env: Record<string, string> = {
    HOME: Deno.env.get("HOME") ?? "",
    PATH: Deno.env.get("PATH") ?? "",
  };
  const denoDir = Deno.env.get("DENO_DIR");
  if (denoDir) env.DENO_DIR = denoDir;
  return env;
}

/** A port free on loopback right now. */
export function freePort(hostname = "127.0.0.1"): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

export interface MainRun {
  /** Working directory (default: the project folder). */
  cwd?: string | URL;
  env: Record<string, string>;
  /** Start from an empty environment plus {@linkcode denoEnv} (default: inherit). */
  clearEnv?: boolean;
  /** Arguments after `deno` (default: {@linkcode START_ARGS} with `main.ts` made absolute). */
  args?: string[];
}

/** Runs `main.ts` to its exit (killed after 30 s) and returns its code and all it printed. */
export async function runMainToExit(run: MainRun): Promise<{ code: number; output: string }> {
  const child = spawnMain(run, "piped");
  const timer = setTimeout(() => child.kill(), 30_000);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, output: (decode(stdout) + decode(stderr)).trim() };
}

/** Starts `main.ts` as {@linkcode runMainToExit} does, without waiting. */
export function spawnMain(run: MainRun, stderr: "piped" | "null" = "piped"): Deno.ChildProcess {
  // From another folder, `--allow-read=.` would not cover the project's own modules, which
  // Deno reads when a dynamic import first runs (deno.json's lazy-dynamic-imports).
  const elsewhere = run.cwd !== undefined &&
    new URL(run.cwd, "file:///").pathname !== ROOT.pathname;
  const args = run.args ??
    START_ARGS.map((arg) =>
      arg === "main.ts"
        ? new URL("main.ts", ROOT).pathname
        : elsewhere && arg.startsWith("--allow-read=")
        ? `${arg},${ROOT.pathname}`
        : arg
    );
  return new Deno.Command(Deno.execPath(), {
    args,
    cwd: run.cwd ?? ROOT,
    clearEnv: run.clearEnv,
    env: run.clearEnv ? { ...denoEnv(), ...run.env } : run.env,
    stdout: "piped",
    stderr,
  }).spawn();
}
