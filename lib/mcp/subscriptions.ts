/**
 * `subscriptions/listen` (2026-07-28 era) over KV: an event bus for the SDK's listen router
 * that is per user and driven by `kv.watch` on the user's change marker (lib/live/changes.ts),
 * so a change from any source (page, REST, MCP, another isolate on Deno Deploy) reaches the
 * listen streams of that user, and only theirs.
 *
 * The SDK's router calls `bus.subscribe(listener)` without saying for whom; lib/mcp/http.ts
 * runs the listen request inside {@linkcode runListen}, whose async context carries the user
 * (and a stream slot, lib/live/limits.ts) to `subscribe`. Each subscription keeps a snapshot
 * of the list (id -> updatedAt), taken before the stream is acknowledged, and on every change
 * compares the new list with it: `notifications/resources/updated` for `todoapp://todos` and
 * for each todo URI that changed or went away (the router forwards only the URIs the client
 * asked for), and `notifications/resources/list_changed` when todos were added or removed.
 * `publish()` (the SDK's notify sugar) is not used: every change is a KV write. A listen stream
 * ends when the access token that opened it expires; the client listens again with a fresh one.
 * It also ends once the grant behind that token is revoked (`IdentityProvider.isGrantLive`):
 * checked before each batch of notifications is delivered (so nothing changed after a revocation
 * is sent) and every `recheckMs` (the heartbeat interval) while idle; one KV read per check.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { decodeJwt } from "jose";
import { watchTodoChanges } from "../live/changes.ts";
import { createBudgetedStream, SLOW_RETRY_MS } from "../live/stream_budget.ts";
import { getTodosVersion, listTodos, type Todo } from "../todos/mod.ts";
import { TODOS_URI, todoUri } from "./resources.ts";
import type { ServerEvent, ServerEventBus } from "./sdk.ts";

/** What a listen request carries to the bus through its async context. */
interface ListenContext {
  userId: string;
  /** The list when the request arrived: changes after it are notified. */
  snapshot: Snapshot;
  /** Frees the stream slot; the subscription takes it over when it starts. */
  release: () => void;
  subscribed: boolean;
  /** Whether the grant behind the stream's token still stands. */
  grantLive: () => Promise<boolean>;
  /** How often an idle stream re-checks `grantLive` (ms). */
  recheckMs: number;
  /** Ends the stream the SDK opened; until its body is wrapped, only records that it should. */
  end: () => void;
  ended: boolean;
}

/** Filled in by {@linkcode runListen}: ends the stream, and its unsent bytes. */
export interface ListenHandle {
  /** Ends the stream with a retry hint (its slot went to a newer stream, or shutdown). */
  end(retryMs?: number): void;
  queued(): number;
}

/** How a listen stream is bounded: the token's expiry and its grant's liveness. */
export interface ListenLimits {
  /** The access token's `exp` (ms since the epoch), or `null` when unknown. */
  expiresAt: number | null;
  /** Whether the token's grant still stands (not revoked); a throw counts as no. */
  grantLive: () => Promise<boolean>;
  /** How often an idle stream re-checks `grantLive` (ms). */
  recheckMs: number;
  /** Receives the stream's controls once it is open. */
  handle?: ListenHandle;
}

interface Snapshot {
  version: number;
  /** id -> updatedAt */
  todos: Map<string, string>;
}

const listenContext = new AsyncLocalStorage<ListenContext>();

/** True when a parsed JSON-RPC body is a `subscriptions/listen` request. */
export function isListenRequest(body: unknown): boolean {
  return typeof body === "object" && body !== null && !Array.isArray(body) &&
    (body as { method?: unknown }).method === "subscriptions/listen";
}

/**
 * Serves one listen request for `userId` through `serve` (the SDK handler), holding the slot
 * `release` frees for as long as the stream the SDK opens stays open, and ending that stream at
 * the token's expiry or once its grant no longer stands (`limits`).
 */
export async function runListen(
  kv: Deno.Kv,
  userId: string,
  release: () => void,
  serve: () => Promise<Response>,
  limits: ListenLimits,
): Promise<Response> {
  const context: ListenContext = {
    userId,
    snapshot: await takeSnapshot(kv, userId),
    release,
    subscribed: false,
    grantLive: limits.grantLive,
    recheckMs: limits.recheckMs,
    end() {
      context.ended = true;
    },
    ended: false,
  };
  let response: Response;
  try {
    response = await listenContext.run(context, serve);
  } finally {
    // Refused (bad params, nothing honored) or failed: no subscription owns the slot.
    if (!context.subscribed) release();
  }
  const streaming = response.headers.get("Content-Type")?.startsWith("text/event-stream");
  return streaming && response.body
    ? endable(response, context, limits.expiresAt, limits.handle)
    : response;
}

/** The `exp` (ms since the epoch) of the verified bearer token in `authorization`, if any. */
export function bearerExpiry(authorization: string | undefined): number | null {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!token) return null;
  try {
    const { exp } = decodeJwt(token); // verified by the bearer gate before this
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * `response` whose body ends at `at` (when given) or when `context.end()` is called: reading
 * from it stops and the SDK's stream is cancelled (which unsubscribes and frees the slot). The
 * SDK's stream is read as it produces, into a stream bounded in unsent bytes
 * (lib/live/stream_budget.ts): a client that does not read is cut off, not buffered for.
 */
function endable(
  response: Response,
  context: ListenContext,
  at: number | null,
  handle?: ListenHandle,
): Response {
  const reader = response.body!.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stream = createBudgetedStream({
    start(stream) {
      context.end = () => stream.end();
      if (handle) {
        handle.end = (retryMs = SLOW_RETRY_MS) => stream.end(retryMs);
        handle.queued = () => stream.queued;
      }
      if (context.ended) return stream.end();
      if (at !== null) {
        timer = setTimeout(() => stream.end(), Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1));
      }
      (async () => {
        while (!stream.ended) {
          const chunk = await reader.read().catch(() => ({
            done: true as const,
            value: undefined,
          }));
          if (chunk.done) return stream.end();
          stream.write(chunk.value);
        }
      })();
    },
    ended() {
      clearTimeout(timer);
      reader.cancel().catch(() => {});
    },
  });
  return new Response(stream.body, { status: response.status, headers: response.headers });
}

/** The bus for the SDK's listen router on `kv`: per user, fed by `kv.watch`. */
export function createKvEventBus(kv: Deno.Kv): ServerEventBus {
  return {
    publish() {
      // Changes are KV writes, seen by the watch; nothing is published in-process.
    },
    subscribe(listener) {
      const context = listenContext.getStore();
      if (!context) return () => {}; // not a listen request of lib/mcp/http.ts: no events
      context.subscribed = true;
      return subscribeUser(kv, context, listener);
    },
  };
}

function subscribeUser(
  kv: Deno.Kv,
  context: ListenContext,
  listener: (event: ServerEvent) => void,
): () => void {
  const { userId, snapshot, release, grantLive } = context;
  let current = snapshot;
  let closed = false;
  let checking = false;
  let again = false;

  /** False (and the stream ended) once the grant no longer stands or cannot be confirmed. */
  const stillGranted = async () => {
    let live = false;
    try {
      live = await grantLive();
    } catch (error) {
      console.error("MCP listen: could not confirm the grant; ending the stream:", error);
    }
    if (!live && !closed) {
      stop();
      context.end();
    }
    return live && !closed;
  };

  const check = async () => {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      do {
        again = false;
        const next = await takeSnapshot(kv, userId);
        if (closed || next.version <= current.version) continue;
        const events = diff(current, next);
        if (events.length > 0 && !(await stillGranted())) break;
        current = next;
        for (const event of events) listener(event);
      } while (again && !closed);
    } catch (error) {
      console.error("MCP listen: could not read the todo list:", error);
    } finally {
      checking = false;
    }
  };

  const unwatch = watchTodoChanges(kv, userId, (version) => {
    if (!closed && version > current.version) check();
  });
  const recheck = setInterval(stillGranted, context.recheckMs);
  const stop = () => {
    if (closed) return;
    closed = true;
    clearInterval(recheck);
    unwatch();
    release();
  };
  return stop;
}

async function takeSnapshot(kv: Deno.Kv, userId: string): Promise<Snapshot> {
  const version = await getTodosVersion(kv, userId);
  const todos = await listTodos(kv, userId);
  return { version, todos: new Map(todos.map((todo: Todo) => [todo.id, todo.updatedAt])) };
}

/** The change events between two snapshots of one user's list. */
export function diff(before: Snapshot, after: Snapshot): ServerEvent[] {
  const changed: string[] = [];
  let membership = false;
  for (const [id, updatedAt] of after.todos) {
    const old = before.todos.get(id);
    if (old === undefined) membership = true;
    if (old !== updatedAt) changed.push(id);
  }
  for (const id of before.todos.keys()) {
    if (!after.todos.has(id)) {
      membership = true;
      changed.push(id);
    }
  }
  if (changed.length === 0) return [];
  const events: ServerEvent[] = [{ kind: "resource_updated", uri: TODOS_URI }];
  for (const id of changed) events.push({ kind: "resource_updated", uri: todoUri({ id }) });
  if (membership) events.push({ kind: "resources_list_changed" });
  return events;
}
