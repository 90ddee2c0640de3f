/**
 * Live sync figures (`deno task bench:live`):
 *
 * 1. Cost per write of bumping the change marker: the same checked write (a todo's update)
 *    with and without `.sum(["todo_changes", user], 1n)` in its atomic operation, on a KV file.
 * 2. Latency from a REST write to the change visible in an open page (Chromium): 50 writes,
 *    median and worst. The page notes when each todo's row appears (MutationObserver, wall
 *    clock); the write's clock starts just before the `POST /api/todos`.
 * 3. Server memory (RSS) with 500 idle open event streams, and with 20 streams whose clients
 *    never read while 3,000 writes change their lists: the app runs in a subprocess
 *    (`bench/live_sync.ts serve <kv> <users>`); RSS is read from /proc before and after.
 *    Streams are opened from several loopback addresses, {@linkcode MAX_STREAMS_PER_ADDRESS}
 *    each, as clients behind different addresses would.
 *
 * Usage: deno run -A bench/live_sync.ts [marker|latency|memory]
 */
import { chromium } from "playwright-core";
import { createApp } from "../lib/app.ts";
import { LOCAL_SESSION_COOKIE } from "../lib/auth/local.ts";
import {
  createSession,
  findOrCreateLocalUser,
  normalizeEmail,
} from "../lib/auth/local_sessions.ts";
import { createIdentityProvider } from "../lib/identity_provider.ts";
import { parseConfig } from "../lib/config.ts";
import { withTuning } from "../lib/testing/app.ts";
import { createTodo, type Todo } from "../lib/todos/mod.ts";
import { todoChangesKey, todoKey } from "../lib/todos/keys.ts";
import { CHROMIUM_PATH } from "../e2e/browser.ts";
import { MAX_STREAMS_PER_ADDRESS } from "../lib/live/limits.ts";
import { BENCH_FLAGS } from "./flags.ts";

if (Deno.args[0] === "serve") {
  await serve(Deno.args[1], Number(Deno.args[2]));
} else {
  const only = Deno.args[0]; // "marker", "latency" or "memory": one part; else all three
  const dir = await Deno.makeTempDir({ prefix: "bench-live-" });
  try {
    if (!only || only === "marker") await markerCost(`${dir}/marker.sqlite3`, 2000);
    if (!only || only === "latency") await latency(`${dir}/latency.sqlite3`, 50);
    if (!only || only === "memory") {
      await idleStreams(`${dir}/streams.sqlite3`, 500, 500);
      await idleStreams(`${dir}/streams10.sqlite3`, 500, 50);
      await unreadStreams(`${dir}/unread0.sqlite3`, 20, 3000, false);
      await unreadStreams(`${dir}/unread.sqlite3`, 20, 3000);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * µs per checked update with and without the marker bump. The two kinds alternate write by
 * write, so both see the same machine load; medians of each kind.
 */
async function markerCost(path: string, writes: number) {
  for (const where of [":memory:", path]) {
    const kv = await Deno.openKv(where);
    const todo = await createTodo(kv, "bench-user", "a todo");
    const key = todoKey("bench-user", todo.id);
    const times: Record<"with" | "without", number[]> = { with: [], without: [] };
    for (let i = 0; i < writes + 200; i++) {
      const bump = i % 2 === 0;
      const started = performance.now();
      const entry = await kv.get<Todo>(key);
      const op = kv.atomic().check(entry).set(key, { ...entry.value!, text: `t${i}` });
      if (bump) op.sum(todoChangesKey("bench-user"), 1n);
      if (!(await op.commit()).ok) throw new Error("conflict");
      if (i >= 200) times[bump ? "with" : "without"].push((performance.now() - started) * 1000);
    }
    kv.close();
    const med = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
    const [w, wo] = [med(times.with), med(times.without)];
    console.log(
      `marker (${where === ":memory:" ? "in-memory KV" : "KV file"}): get + checked set, ` +
        `${writes} writes alternating: median ${wo.toFixed(1)} µs without the bump, ` +
        `${w.toFixed(1)} µs with it (${w >= wo ? "+" : ""}${(w - wo).toFixed(1)} µs)`,
    );
  }
}

/** Median and worst ms from a REST write to its row in an open page. */
async function latency(path: string, count: number) {
  const kv = await Deno.openKv(path);
  const config = parseConfig({});
  const app = createApp({ config, kv, identity: await createIdentityProvider(config, kv) });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const user = await findOrCreateLocalUser(kv, normalizeEmail("bench@example.com"));
  const token = await createSession(kv, user);
  const cookie = `${LOCAL_SESSION_COOKIE}=${token}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu"],
  });
  try {
    const context = await browser.newContext();
    await context.addCookies([{ name: LOCAL_SESSION_COOKIE, value: token, url: origin }]);
    const page = await context.newPage();
    await page.goto(`${origin}/todoapp`);
    await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      Object.assign(globalThis, { seen });
      new MutationObserver(() => {
        for (const node of document.querySelectorAll("li.todo .text")) {
          const text = node.textContent ?? "";
          if (!(text in seen)) seen[text] = Date.now();
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the stream is open
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const text = `live ${i}`;
      const started = Date.now();
      const res = await fetch(`${origin}/api/todos`, {
        method: "POST",
        headers: { Cookie: cookie, "Content-Type": "application/json" },
        body: JSON.stringify({ todoText: text }),
      });
      await res.body?.cancel();
      await page.waitForFunction(
        (t) => t in (globalThis as unknown as { seen: Record<string, number> }).seen,
        text,
      );
      const at = await page.evaluate(
        (t) => (globalThis as unknown as { seen: Record<string, number> }).seen[t],
        text,
      );
      times.push(at - started);
    }
    times.sort((a, b) => a - b);
    console.log(
      `latency: REST write -> row visible in the page, ${count} writes: median ` +
        `${times[Math.floor(count / 2)]} ms, worst ${times[count - 1]} ms (best ${times[0]} ms)`,
    );
  } finally {
    await browser.close();
    await server.shutdown().catch(() => {});
    kv.close();
  }
}

interface ServerProcess {
  origin: string;
  cookies: string[];
  /** The subprocess's resident memory now, in MB. */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts `bench/live_sync.ts serve` on a KV file with `users` signed-in users. */
async function startServerProcess(path: string, users: number): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...BENCH_FLAGS,
      new URL(import.meta.url).pathname,
      "serve",
      path,
      `${users}`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) out += (await lines.read()).value ?? "";
  const { origin, cookies } = JSON.parse(out) as { origin: string; cookies: string[] };
  return {
    origin,
    cookies,
    async rss() {
      const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
      return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
    },
    async stop() {
      child.kill();
      await child.status;
      lines.cancel().catch(() => {});
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** HTTP clients bound to loopback addresses 127.0.0.2, .3, ...: one per address cap's worth. */
function loopbackClients(streams: number): Deno.HttpClient[] {
  const count = Math.ceil(streams / MAX_STREAMS_PER_ADDRESS);
  return Array.from(
    { length: count },
    (_, i) => Deno.createHttpClient({ localAddress: `127.0.0.${i + 2}` }),
  );
}

/** RSS of a server subprocess before and with `streams` idle streams of `users` users. */
async function idleStreams(path: string, streams: number, users: number) {
  const server = await startServerProcess(path, users);
  const clients = loopbackClients(streams);
  const open = (i: number) =>
    fetch(`${server.origin}/api/todos/events`, {
      headers: { Cookie: server.cookies[i % users] },
      client: clients[Math.floor(i / MAX_STREAMS_PER_ADDRESS)],
    } as RequestInit);
  // Warm the path with one stream, then measure.
  await (await open(0)).body?.cancel();
  await sleep(1000);
  const before = await server.rss();
  const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  for (let i = 0; i < streams; i++) {
    const res = await open(i);
    if (res.status !== 200) throw new Error(`stream ${i}: ${res.status}`);
    const reader = res.body!.getReader();
    await reader.read(); // the first event: the stream is set up
    readers.push(reader);
  }
  await sleep(2000);
  const after = await server.rss();
  console.log(
    `memory: ${streams} idle streams of ${users} users: server RSS ${before.toFixed(1)} MB -> ` +
      `${after.toFixed(1)} MB (+${((after - before) * 1024 / streams).toFixed(1)} KB per stream)`,
  );
  for (const reader of readers) await reader.cancel();
  for (const client of clients) client.close();
  await server.stop();
}

/**
 * RSS with `streams` event streams whose clients never read (raw sockets that send the request
 * and stop), while `writes` REST writes grow and change their users' lists; each stream's
 * user gets a list of about 40 KB first, so an uncoalesced stream would queue megabytes.
 */
async function unreadStreams(path: string, streams: number, writes: number, open = true) {
  const server = await startServerProcess(path, streams);
  const { port, hostname } = new URL(server.origin);
  const headers = (cookie: string) => ({ Cookie: cookie, Origin: server.origin });
  const create = (cookie: string, text: string) =>
    fetch(`${server.origin}/api/todos`, {
      method: "POST",
      headers: { ...headers(cookie), "Content-Type": "application/json" },
      body: JSON.stringify({ todoText: text }),
    }).then(async (res) => {
      if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { todo: { id: string } }).todo.id;
    });
  const ids: string[][] = [];
  for (const cookie of server.cookies) {
    const mine: string[] = [];
    for (let i = 0; i < 200; i++) {
      mine.push(await create(cookie, `a longer todo text, ${"x".repeat(150)} ${i}`));
    }
    ids.push(mine);
  }
  await sleep(1000);
  const before = await server.rss();
  const sockets: Deno.TcpConn[] = [];
  for (const cookie of open ? server.cookies : []) {
    const socket = await Deno.connect({ hostname, port: Number(port) });
    const request = `GET /api/todos/events HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
      `Cookie: ${cookie}\r\nAccept: text/event-stream\r\n\r\n`;
    await socket.write(new TextEncoder().encode(request));
    sockets.push(socket); // never read
  }
  let peak = before;
  for (let i = 0; i < writes; i++) {
    const user = i % streams;
    const id = ids[user][i % ids[user].length];
    const res = await fetch(`${server.origin}/api/todos/${id}`, {
      method: "PATCH",
      headers: { ...headers(server.cookies[user]), "Content-Type": "application/json" },
      body: JSON.stringify({ completed: i % 2 === 0 }),
    });
    await res.body?.cancel();
    if (i % 250 === 0) peak = Math.max(peak, await server.rss());
  }
  await sleep(1000);
  const after = await server.rss();
  console.log(
    `memory: ${open ? streams : "no"} never-read streams under ${writes} writes (${streams} ` +
      `users with 200 todos): server ` +
      `RSS ${before.toFixed(1)} MB -> ${after.toFixed(1)} MB (peak ${
        Math.max(peak, after).toFixed(1)
      } MB)`,
  );
  for (const socket of sockets) socket.close();
  await server.stop();
}

/** The subprocess: the app on a KV file with `users` signed-in users; prints origin and cookies. */
async function serve(path: string, users: number) {
  const kv = await Deno.openKv(path);
  const config = withTuning(parseConfig({}), {
    live: { maxStreamsPerUser: 1000, maxStreams: 1000 },
  });
  const app = createApp({ config, kv, identity: await createIdentityProvider(config, kv) });
  const cookies: string[] = [];
  for (let i = 0; i < users; i++) {
    const user = await findOrCreateLocalUser(kv, normalizeEmail(`user${i}@example.com`));
    await createTodo(kv, user.id, "one todo");
    cookies.push(`${LOCAL_SESSION_COOKIE}=${await createSession(kv, user)}`);
  }
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  console.log(JSON.stringify({ origin: `http://127.0.0.1:${server.addr.port}`, cookies }));
}
