/**
 * `GET /api/todos/events`: Server-Sent Events that keep an open todo page in sync. On connect
 * and after every change to the user's todos (from any source: pages, REST, MCP) it sends
 *
 *     id: <version>
 *     event: todos
 *     data: {"version": <version>, "todos": [...]}
 *
 * with the whole list (the same shape as every REST answer), so a page applies it without a
 * second request and a reconnecting page is re-synced by the first event. `version` is the
 * user's change count (lib/todos/version.ts): it only grows, so a page ignores a list older than one it
 * already shows. Changes arrive by `kv.watch` (lib/live/changes.ts), never by polling; the only
 * timer is the heartbeat comment, which also re-checks the session. The stream ends when the
 * client goes away, when the session's credential expires (a Stytch session JWT's `exp`,
 * minutes away) and when it is signed out (found before the next list goes out, or at the next
 * heartbeat); `event: session-ended` says which:
 *
 *     retry: 250
 *     event: session-ended
 *     data: {"reason": "expired"}      (reconnect now: the reconnect renews the session)
 *
 *     event: session-ended
 *     data: {"reason": "signed-out"}   (the session is gone: sign in again)
 *
 * The browser's reconnect carries the session cookies and is renewed like any request
 * (`requireUser`), its answer setting the new cookies; a session that has ended meanwhile gets
 * 401, a provider that cannot be reached 503 with `Retry-After` (both JSON).
 */
import type { Context } from "hono";
import { requestAfter } from "../auth/cookies.ts";
import { UnauthorizedError } from "../errors.ts";
import type { AppEnv } from "../http/context.ts";
import { watchTodoChanges } from "../live/changes.ts";
import { streamSlotsFor } from "../live/limits.ts";
import { type BudgetedStream, createBudgetedStream, SLOW_RETRY_MS } from "../live/stream_budget.ts";
import { clientIp } from "../http/client_ip.ts";
import { getTodosVersion, listTodos } from "../todos/mod.ts";

/** How long a browser waits before reconnecting after the stream drops (the `retry:` field). */
const RECONNECT_MS = 2000;
/** The reconnect delay after the session's credential expired: soon, to renew it. */
export const RENEW_RECONNECT_MS = 250;
/** Longest delay `setTimeout` takes; a session ending later is caught by the heartbeat. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Handles `GET /api/todos/events` for the signed-in user (`requireUser` ran before): refuses an
 * expired session, takes a stream slot (429 past the caps), then opens the stream.
 */
export function serveTodoEvents(c: Context<AppEnv>): Response {
  const { kv, config } = c.var.deps;
  const userId = c.var.user.id;
  const { expiresAt } = c.var.session;
  if (expiresAt !== null && expiresAt <= Date.now()) throw new UnauthorizedError();
  const events = new TodoEventStream(kv, userId, sessionCheck(c, userId));
  events.release = streamSlotsFor(kv, config.live).acquire(userId, {
    kind: "page",
    address: clientIp(c),
    evict: (retryMs = SLOW_RETRY_MS) => events.close(undefined, retryMs),
    queuedBytes: () => events.queued,
  });
  // Through `c`, so a renewal's `Set-Cookie` goes out with the stream.
  return c.body(events.open(config.live.heartbeatMs, expiresAt), 200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    // Proxies (nginx and alike) must pass events on at once, not collect them.
    "X-Accel-Buffering": "no",
  });
}

/**
 * Whether the stream's session is still `userId`'s: `false` once signed out, `null` when the
 * provider cannot decide (e.g. Stytch's keys unreachable). Each check presents what the
 * browser holds now: the cookies a renewal on this request just set.
 */
function sessionCheck(c: Context<AppEnv>, userId: string): () => Promise<boolean | null> {
  const { identity } = c.var.deps;
  const current = requestAfter(c.req.raw, c.var.session.setCookies);
  const secure = c.var.origin.startsWith("https:");
  return async () => {
    try {
      return (await identity.getSession(current, { secure })).user?.id === userId;
    } catch {
      return null;
    }
  };
}

/** One page's event stream: the lists it sends, its heartbeat, and its end. */
class TodoEventStream {
  /** Frees the stream's slot (lib/live/limits.ts); set once the slot is taken. */
  release: () => void = () => {};
  readonly #kv: Deno.Kv;
  readonly #userId: string;
  readonly #sessionIsOurs: () => Promise<boolean | null>;
  #stream: BudgetedStream | undefined;
  #closed = false;
  /** The client had not read the last list when a newer one was due: send it once it has. */
  #pending = false;
  #sentVersion = -1;
  #sending = false;
  #again = false;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #unwatch = () => {};

  constructor(kv: Deno.Kv, userId: string, sessionIsOurs: () => Promise<boolean | null>) {
    this.#kv = kv;
    this.#userId = userId;
    this.#sessionIsOurs = sessionIsOurs;
  }

  /** Bytes written and not yet taken by the client. */
  get queued(): number {
    return this.#stream?.queued ?? 0;
  }

  /**
   * Starts the stream: the reconnect delay, the watch on the user's changes, the heartbeat,
   * the end at `expiresAt`, and the first list.
   */
  open(heartbeatMs: number, expiresAt: number | null): ReadableStream<Uint8Array> {
    const stream = createBudgetedStream({
      start: (budgeted) => {
        this.#stream = budgeted;
        this.#write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
        this.#unwatch = watchTodoChanges(this.#kv, this.#userId, (version) => {
          if (version > this.#sentVersion) this.#send();
        }, () => this.close());
        this.#timers.push(setInterval(() => this.#heartbeat(), heartbeatMs));
        if (expiresAt !== null) {
          const delay = expiresAt - Date.now();
          if (delay < MAX_TIMER_MS) {
            this.#timers.push(setTimeout(() => this.close("expired"), delay));
          }
        }
        // A client that goes away cancels the body (`ended` below): no abort listener, so Deno's
        // request signal keeps one behaviour with and without its legacy abort.
        this.#send();
      },
      drained: () => {
        if (!this.#pending) return;
        this.#pending = false;
        this.#send();
      },
      ended: () => this.#cleanUp(),
    });
    this.#stream = stream;
    return stream.body;
  }

  /** Ends the stream; `retryMs` asks the browser to wait that long (a replaced stream). */
  close(reason?: "expired" | "signed-out", retryMs?: number): void {
    if (this.#closed) return;
    const retry = reason === "expired" ? `retry: ${RENEW_RECONNECT_MS}\n` : "";
    if (reason) {
      this.#write(`${retry}event: session-ended\ndata: ${JSON.stringify({ reason })}\n\n`);
    }
    this.#closed = true;
    this.#cleanUp();
    this.#stream?.end(retryMs);
  }

  #cleanUp(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#unwatch();
    this.release();
  }

  #write(text: string): void {
    if (!this.#closed) this.#stream?.write(text);
  }

  /** A comment that keeps proxies from closing the stream, then the session's re-check. */
  async #heartbeat(): Promise<void> {
    if (!this.#stream?.backlogged) this.#write(": heartbeat\n\n");
    // Undecided (e.g. Stytch's keys unreachable): keep the stream until the provider can tell.
    if (await this.#sessionIsOurs() === false) this.close("signed-out");
  }

  /**
   * Sends the list unless this stream already sent one as new; coalesces bursts of changes. The
   * session is checked before each list goes out, so a stream signed out elsewhere carries no
   * list after it (rather than until the next heartbeat).
   */
  async #send(): Promise<void> {
    if (this.#sending) {
      this.#again = true;
      return;
    }
    this.#sending = true;
    try {
      do {
        this.#again = false;
        if (this.#stream?.backlogged) {
          this.#pending = true; // the client has not read the last list: send the newest once it does
          break;
        }
        const version = await getTodosVersion(this.#kv, this.#userId);
        if (version <= this.#sentVersion || this.#closed) continue;
        const ours = await this.#sessionIsOurs();
        if (ours === false) this.close("signed-out");
        if (!ours) break; // undecided: send nothing now; the heartbeat decides
        const todos = await listTodos(this.#kv, this.#userId);
        if (this.#closed) break;
        this.#sentVersion = version;
        this.#write(
          `id: ${version}\nevent: todos\ndata: ${JSON.stringify({ version, todos })}\n\n`,
        );
      } while (this.#again && !this.#closed);
    } catch (error) {
      console.error("live: could not send the todo list:", error);
      this.close(); // the browser reconnects and re-syncs
    } finally {
      this.#sending = false;
    }
  }
}
