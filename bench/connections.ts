/**
 * Connections a self-hosted server holds without failing (`deno task bench:connections`):
 * `main.ts` runs at an open-file limit of `Deno.args[1]` (default 20,000) while helper
 * processes (up to 8,000 sockets each, so that they stay under their own limit) open
 * `Deno.args[0]` (default 21,000) idle sockets and as many that send half a request head.
 * Then a normal request must still be answered and the server still run. Not a test.
 */
import { startServer } from "../lib/testing/server_process.ts";

const PER_HOLDER = 8000;

if (Deno.args[0] === "hold") {
  await hold(Number(Deno.args[1]), Number(Deno.args[2]), Deno.args[3] === "half");
} else {
  await measure(Number(Deno.args[0] ?? 21_000), Number(Deno.args[1] ?? 20_000));
}

/** A holder: opens `count` sockets to `port`, says how many, and keeps them until stdin ends. */
async function hold(port: number, count: number, half: boolean) {
  const head = new TextEncoder().encode("GET /api/todos HTTP/1.1\r\nHost: loc");
  const sockets: Deno.TcpConn[] = [];
  let refused = 0;
  for (let i = 0; i < count; i++) {
    try {
      const socket = await Deno.connect({ hostname: "127.0.0.1", port });
      if (half) await socket.write(head).catch(() => {});
      sockets.push(socket);
    } catch {
      refused++;
    }
  }
  console.log(JSON.stringify({ opened: sockets.length, refused }));
  for await (const _ of Deno.stdin.readable) {
    // held until the parent closes stdin
  }
}

async function measure(count: number, openFiles: number) {
  const server = await startServer({ openFiles });
  const holders: Deno.ChildProcess[] = [];
  let opened = 0;
  let refused = 0;
  try {
    for (const kind of ["idle", "half"]) {
      for (let left = count; left > 0; left -= PER_HOLDER) {
        const n = Math.min(PER_HOLDER, left);
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", import.meta.filename!, "hold", `${server.port}`, `${n}`, kind],
          stdin: "piped",
          stdout: "piped",
        }).spawn();
        holders.push(child);
        const line = await child.stdout.pipeThrough(new TextDecoderStream()).getReader().read();
        const said = JSON.parse(line.value!);
        opened += said.opened;
        refused += said.refused;
      }
    }
    const started = performance.now();
    const response = await fetch(`${server.origin}/login`, { signal: AbortSignal.timeout(30_000) });
    await response.body?.cancel();
    const ms = performance.now() - started;
    const alive = await Promise.race([
      server.status.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 200)),
    ]);
    console.log(
      `ulimit -n ${openFiles}: ${opened} sockets connected (${refused} refused) by ` +
        `${holders.length} processes; GET /login ${response.status} in ${ms.toFixed(0)} ms; ` +
        `server ${alive ? "running" : "EXITED"}`,
    );
    if (!alive) console.log(server.output());
  } finally {
    for (const child of holders) {
      await child.stdin.close().catch(() => {});
      child.kill();
      await child.status;
    }
    await server.kill();
  }
}
