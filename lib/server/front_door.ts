/**
 * The TCP front door of a self-hosted server: an accept loop of its own in front of
 * `Deno.serve`, which (in Deno 2.9) has no header-read or idle timeout and ends the process
 * when `accept` fails with "too many open files".
 *
 * Each client connection is read until its request head is complete (within
 * {@linkcode HEADERS_TIMEOUT_MS}, at most {@linkcode MAX_HEAD_BYTES}), then passed byte for byte
 * to an internal `Deno.serve` on a loopback port with `Connection: close`, so one connection
 * carries one request and every request gets the head deadline. The internal server learns the
 * client's address from the port the front door connected from (a map, not a header a client
 * could forge) and refuses connections that did not come through the front door.
 *
 * Bounds: open connections are capped ({@linkcode connectionCap}); at the cap a new connection
 * takes the place of the oldest one still sending its head (idle or stalled), or is closed at
 * once when every open one is being served; a failed `accept` (out of descriptors) waits and
 * tries again. A
 * connection with no bytes in either direction for {@linkcode idleTimeoutMs} is closed (live
 * streams send a heartbeat more often), and so is one whose client is still sending more than
 * {@linkcode REQUEST_TIMEOUT_MS} after it connected (a request body trickled in).
 */

/** Time for a client to send its whole request head after connecting. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** Time for a client to send its whole request, body included, after connecting. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Longest request head (request line and headers). */
export const MAX_HEAD_BYTES = 16 * 1024;
/** Least time with no bytes either way before a connection is closed as idle. */
export const MIN_IDLE_TIMEOUT_MS = 60_000;
/** Descriptors kept free for the store, outgoing requests and the process itself. */
export const RESERVED_DESCRIPTORS = 64;
/** Open-file limit assumed when the process cannot read its own (`/proc/self/limits`). */
export const ASSUMED_DESCRIPTOR_LIMIT = 1024;
/** How often deadlines are checked (one timer for all connections). */
const SWEEP_MS = 1000;
/** Longest wait before `accept` is tried again after it failed. */
const MAX_ACCEPT_BACKOFF_MS = 1000;

/** Where and how the front door listens, and what it serves. */
export interface FrontDoorOptions {
  hostname: string;
  port: number;
  /** The longest interval between bytes a healthy live stream sends (its heartbeat). */
  heartbeatMs: number;
  onListen?: (addr: Deno.NetAddr) => void;
  /** Overrides {@linkcode connectionCap} (tests). */
  maxConnections?: number;
  /** Overrides {@linkcode HEADERS_TIMEOUT_MS} (tests). */
  headersTimeoutMs?: number;
}

/** A running front door. */
export interface FrontDoor {
  readonly addr: Deno.NetAddr;
  /** Client connections open now. */
  readonly open: number;
  /** Time a client has to send its request head. */
  readonly headersTimeoutMs: number;
  /** Stops accepting; open connections carry on (see {@linkcode FrontDoor.closeAll}). */
  stopAccepting(): void;
  /** Resolves once every request in flight has been answered and sent (stop accepting first). */
  drain(): Promise<void>;
  /** Closes every client connection and the internal server. */
  closeAll(): Promise<void>;
  /** The internal server (for a graceful `shutdown()`). */
  readonly server: Deno.HttpServer<Deno.NetAddr>;
}

/** Idle timeout for live streams whose heartbeat is `heartbeatMs`: two heartbeats, at least a minute. */
export const idleTimeoutMs = (heartbeatMs: number): number =>
  Math.max(MIN_IDLE_TIMEOUT_MS, 2 * heartbeatMs + 5000);

/**
 * Open client connections allowed: each uses three descriptors (the client's, and both ends
 * of the loopback connection to the internal server), after {@linkcode RESERVED_DESCRIPTORS}.
 */
export function connectionCap(descriptorLimit: number): number {
  return Math.max(16, Math.floor((descriptorLimit - RESERVED_DESCRIPTORS) / 3));
}

/** The process's soft open-file limit, or {@linkcode ASSUMED_DESCRIPTOR_LIMIT} when unknown. */
export function descriptorLimit(): number {
  try {
    const path = "/proc/self/limits";
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") {
      return ASSUMED_DESCRIPTOR_LIMIT;
    }
    const line = Deno.readTextFileSync(path).split("\n").find((l) => l.startsWith("Max open"));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : ASSUMED_DESCRIPTOR_LIMIT;
  } catch {
    return ASSUMED_DESCRIPTOR_LIMIT;
  }
}

interface Connection {
  client: Deno.TcpConn;
  openedAt: number;
  lastActivity: number;
  headDone: boolean;
  close(): void;
}

/**
 * Accepts clients while `accepting()` holds and hands each to `onClient`. When `accept` fails
 * (out of descriptors, say) it waits, 5 ms doubling to a second, and tries again.
 */
async function acceptClients(
  listener: Deno.TcpListener,
  accepting: () => boolean,
  onClient: (client: Deno.TcpConn) => void,
): Promise<void> {
  let backoff = 5;
  while (accepting()) {
    let client: Deno.TcpConn;
    try {
      client = await listener.accept();
      backoff = 5;
    } catch (error) {
      if (!accepting() || error instanceof Deno.errors.BadResource) return;
      // Out of descriptors (or another passing failure): wait for some to be freed.
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, MAX_ACCEPT_BACKOFF_MS);
      continue;
    }
    onClient(client);
  }
}

/**
 * Tracks `client` in `connections` and proxies it to the server on `backendPort`; while it
 * lasts, `peers` maps the backend connection's port to the client's address.
 */
function openConnection(
  client: Deno.TcpConn,
  connections: Set<Connection>,
  peers: Map<number, Deno.NetAddr>,
  backendPort: number,
): void {
  let backend: Deno.TcpConn | null = null;
  let closed = false;
  const connection: Connection = {
    client,
    openedAt: Date.now(),
    lastActivity: Date.now(),
    headDone: false,
    close() {
      if (closed) return;
      closed = true;
      connections.delete(connection);
      if (backend) peers.delete(backend.localAddr.port);
      for (const conn of [client, backend]) {
        try {
          conn?.close();
        } catch {
          // already closed
        }
      }
    },
  };
  connections.add(connection);
  proxy(connection, backendPort, (conn) => {
    backend = conn;
    peers.set(conn.localAddr.port, client.remoteAddr);
  }).catch(() => {}).finally(() => connection.close());
}

/** Serves `handler` behind the front door; `info.remoteAddr` is the client's address. */
export function serveBehindFrontDoor(
  options: FrontDoorOptions,
  handler: (request: Request, info: { remoteAddr: Deno.NetAddr }) => Response | Promise<Response>,
): FrontDoor {
  const peers = new Map<number, Deno.NetAddr>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req, info) => {
    const client = peers.get(info.remoteAddr.port);
    if (!client) return new Response("Connect through the public port.\n", { status: 421 });
    return handler(req, { remoteAddr: client });
  });
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const cap = options.maxConnections ?? connectionCap(descriptorLimit());
  const idleMs = idleTimeoutMs(options.heartbeatMs);
  const headersTimeoutMs = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const connections = new Set<Connection>();
  let accepting = true;

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const c of connections) {
      if (!c.headDone && now - c.openedAt > headersTimeoutMs) c.close();
      else if (now - c.lastActivity > idleMs) c.close();
    }
  }, SWEEP_MS);

  acceptClients(listener, () => accepting, (client) => {
    if (connections.size >= cap && !closeOldestStalled(connections)) return client.close();
    openConnection(client, connections, peers, server.addr.port);
  });
  const addr = listener.addr;
  options.onListen?.(addr);
  return {
    addr,
    get open() {
      return connections.size;
    },
    headersTimeoutMs,
    server,
    stopAccepting() {
      if (!accepting) return;
      accepting = false;
      listener.close();
    },
    async drain() {
      await server.shutdown();
      while (connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    async closeAll() {
      this.stopAccepting();
      clearInterval(sweep);
      for (const c of connections) c.close();
      await server.shutdown();
    },
  };
}

/**
 * Makes room by closing the oldest connection still sending its request head (an idle or
 * stalled client, as a real one sends its head at once); false when every one is serving.
 */
function closeOldestStalled(connections: Set<Connection>): boolean {
  for (const c of connections) {
    if (!c.headDone) {
      c.close();
      return true;
    }
  }
  return false;
}

/** Reads the head, then copies both ways until either side is done. */
async function proxy(
  connection: Connection,
  backendPort: number,
  connected: (backend: Deno.TcpConn) => void,
): Promise<void> {
  const { client } = connection;
  const head = await readHead(connection);
  if (!head) return;
  connection.headDone = true;
  let backend: Deno.TcpConn;
  try {
    backend = await Deno.connect({ hostname: "127.0.0.1", port: backendPort });
  } catch {
    await client.write(plainAnswer(503, "The server is busy; try again in a moment.")).catch(
      () => {},
    );
    return;
  }
  connected(backend);
  await backend.write(head);
  // The client's side ends with its request or stays open; the answer's end closes both.
  copy(client, backend, connection, true).then(() => backend.closeWrite()).catch(() => {});
  await copy(backend, client, connection, false);
}

/**
 * The request head (rewritten with `Connection: close`) plus any body bytes read with it, or
 * `null` when the client left, sent too much, or took too long (the sweep closes the socket).
 */
async function readHead(connection: Connection): Promise<Uint8Array | null> {
  const buffer = new Uint8Array(MAX_HEAD_BYTES);
  let length = 0;
  while (length < MAX_HEAD_BYTES) {
    const n = await connection.client.read(buffer.subarray(length));
    if (n === null) return null;
    connection.lastActivity = Date.now();
    length += n;
    const end = headEnd(buffer, length);
    if (end >= 0) return rewriteHead(buffer.subarray(0, end), buffer.slice(end + 4, length));
  }
  await connection.client.write(plainAnswer(431, "The request head is too large.")).catch(
    () => {},
  );
  return null;
}

/** Index of the blank line (`\r\n\r\n`) ending the head, or -1. */
function headEnd(bytes: Uint8Array, length: number): number {
  for (let i = 3; i < length; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) {
      return i - 3;
    }
  }
  return -1;
}

const HOP_BY_HOP = /^(connection|keep-alive|proxy-connection)\s*:/i;

/** `head` without hop-by-hop connection headers, plus `Connection: close`, then `rest`. */
function rewriteHead(head: Uint8Array, rest: Uint8Array): Uint8Array {
  const lines = latin1(head).split("\r\n").filter((line, i) => i === 0 || !HOP_BY_HOP.test(line));
  const text = `${lines.join("\r\n")}\r\nConnection: close\r\n\r\n`;
  const out = new Uint8Array(text.length + rest.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  out.set(rest, text.length);
  return out;
}

const latin1 = (bytes: Uint8Array) => new TextDecoder("latin1").decode(bytes);

/** Copies `from` to `to` until `from` ends; client bytes past the request deadline end it. */
async function copy(
  from: Deno.TcpConn,
  to: Deno.TcpConn,
  connection: Connection,
  fromClient: boolean,
): Promise<void> {
  const buffer = new Uint8Array(16 * 1024);
  while (true) {
    const n = await from.read(buffer);
    if (n === null) return;
    const now = Date.now();
    if (fromClient && now - connection.openedAt > REQUEST_TIMEOUT_MS) {
      connection.close();
      return;
    }
    connection.lastActivity = now;
    let written = 0;
    while (written < n) written += await to.write(buffer.subarray(written, n));
    connection.lastActivity = Date.now();
  }
}

/** A minimal HTTP/1.1 answer the front door sends itself. */
function plainAnswer(status: number, message: string): Uint8Array {
  const reason = status === 431 ? "Request Header Fields Too Large" : "Service Unavailable";
  return new TextEncoder().encode(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${message.length + 1}\r\nConnection: close\r\n\r\n${message}\n`,
  );
}
