/**
 * `main.ts` in a process of its own, for tests that need real sockets, signals and limits: a
 * loopback port, a KV file in a temporary folder, and optionally a low open-file limit.
 */
import { freePort } from "./main_process.ts";

/** A running `main.ts`. */
export interface ServerProcess {
  port: number;
  origin: string;
  kvPath: string;
  child: Deno.ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit status once the process ends. */
  status: Promise<Deno.CommandStatus>;
  /** Kills the process (SIGKILL) if it still runs, and waits for it. */
  kill(): Promise<void>;
}

/**
 * Starts `main.ts` (built-in sign-in) on a free loopback port with its KV file at `kvPath` (a
 * new temporary folder when omitted) and waits until it listens. `openFiles` sets `ulimit -n`.
 */
export async function startServer(
  options: { openFiles?: number; kvPath?: string; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const kvPath = options.kvPath ?? `${await Deno.makeTempDir()}/todos.sqlite3`;
  const port = freePort();
  const limit = options.openFiles ? `ulimit -n ${options.openFiles}; ` : "";
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const child = new Deno.Command("bash", {
    args: ["-c", `${limit}exec "${Deno.execPath()}" run -A "${main}"`],
    cwd: new URL("../..", import.meta.url).pathname,
    env: { PORT: String(port), KV_PATH: kvPath, ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const status = child.status.then(async (status) => {
    await drained;
    return status;
  });
  const deadline = Date.now() + 30_000;
  while (!text.includes(`:${port}`)) {
    const ended = await Promise.race([
      status.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 50)),
    ]);
    if (ended || Date.now() > deadline) {
      throw new Error(`main.ts did not start:\n${text}`);
    }
  }
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    kvPath,
    child,
    output: () => text,
    status,
    async kill() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already ended
      }
      await status;
    },
  };
}
