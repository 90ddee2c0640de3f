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

/** Handles `GET /api/todos/events` for the signed-in user (`requireUser` ran before). */
export function serveTodoEvents(c: Context<AppEnv>): Response {
  const { kv, identity, config } = c.var.deps;
  const userId = c.var.user.id;
  const request = c.req.raw;
  const { expiresAt, setCookies } = c.var.session;
  if (expiresAt !== null && expiresAt <= Date.now()) throw new UnauthorizedError();
  // Later checks present what the browser holds now: the cookies a renewal just set.
  const current = requestAfter(request, setCookies);
  const secure = c.var.origin.startsWith("https:");
  const release = streamSlotsFor(kv, config.live).acquire(userId, {
    kind: "page",
    address: clientIp(c),
    evict: (retryMs = SLOW_RETRY_MS) => close(undefined, retryMs),
    queuedBytes: () => stream.queued,
  });

  let stream!: BudgetedStream;
  let closed = false;
  let pending = false;
  let sentVersion = -1;
  let sending = false;
  let again = false;
  const timers: ReturnType<typeof setTimeout>[] = [];
  let unwatch = () => {};

  const write = (text: string) => {
    if (!closed) stream.write(text);
  };
  /** Ends the stream; `retryMs` asks the browser to wait that long (a replaced stream). */
  const close = (reason?: "expired" | "signed-out", retryMs?: number) => {
    if (closed) return;
    const retry = reason === "expired" ? `retry: ${RENEW_RECONNECT_MS}\n` : "";
    if (reason) write(`${retry}event: session-ended\ndata: ${JSON.stringify({ reason })}\n\n`);
    closed = true;
    cleanUp();
    stream.end(retryMs);
  };
  const cleanUp = () => {
    closed = true;
    for (const timer of timers) clearTimeout(timer);
    unwatch();
    release();
  };

  /**
   * Whether the request's session is still this user's: `false` once signed out, `null` when
   * the provider cannot decide (e.g. Stytch's keys unreachable).
   */
  const sessionIsOurs = async (): Promise<boolean | null> => {
    try {
      return (await identity.getSession(current, { secure })).user?.id === userId;
    } catch {
      return null;
    }
  };

  /**
   * Sends the list unless this stream already sent one as new; coalesces bursts of changes. The
   * session is checked before each list goes out, so a stream signed out elsewhere carries no
   * list after it (rather than until the next heartbeat).
   */
  const send = async () => {
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    try {
      do {
        again = false;
        if (stream.backlogged) {
          pending = true; // the client has not read the last list: send the newest once it does
          break;
        }
        const version = await getTodosVersion(kv, userId);
        if (version <= sentVersion || closed) continue;
        const ours = await sessionIsOurs();
        if (ours === false) close("signed-out");
        if (!ours) break; // undecided: send nothing now; the heartbeat decides
        const todos = await listTodos(kv, userId);
        if (closed) break;
        sentVersion = version;
        write(`id: ${version}\nevent: todos\ndata: ${JSON.stringify({ version, todos })}\n\n`);
      } while (again && !closed);
    } catch (error) {
      console.error("live: could not send the todo list:", error);
      close(); // the browser reconnects and re-syncs
    } finally {
      sending = false;
    }
  };

  const heartbeat = async () => {
    if (!stream.backlogged) write(": heartbeat\n\n");
    // Undecided (e.g. Stytch's keys unreachable): keep the stream until the provider can tell.
    if (await sessionIsOurs() === false) close("signed-out");
  };

  stream = createBudgetedStream({
    start(budgeted) {
      stream = budgeted;
      write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
      unwatch = watchTodoChanges(kv, userId, (version) => {
        if (version > sentVersion) send();
      }, () => close());
      timers.push(setInterval(heartbeat, config.live.heartbeatMs));
      if (expiresAt !== null) {
        const delay = expiresAt - Date.now();
        if (delay < MAX_TIMER_MS) timers.push(setTimeout(() => close("expired"), delay));
      }
      // A client that goes away cancels the body (`ended` below): no abort listener, so Deno's
      // request signal keeps one behaviour with and without its legacy abort.
      send();
    },
    drained() {
      if (!pending) return;
      pending = false;
      send();
    },
    ended: () => cleanUp(),
  });

  // Through `c`, so a renewal's `Set-Cookie` goes out with the stream.
  return c.body(stream.body, 200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    // Proxies (nginx and alike) must pass events on at once, not collect them.
    "X-Accel-Buffering": "no",
  });
}
