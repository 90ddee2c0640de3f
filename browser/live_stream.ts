/**
 * The todo page's connection to `GET /api/todos/events` (lib/api/events.ts), kept up across
 * session renewals and outages, and what it says about itself:
 *
 * - `event: todos` carries the whole list and its version; each goes to `onList`.
 * - `event: session-ended` with `{"reason":"expired"}` (the session JWT expired; also
 *   `event: renew`): reconnect at once. The new request carries the cookies, and the server
 *   renews the session on it, so the list keeps following changes.
 * - `event: session-ended` with `{"reason":"signed-out"}`, or a reconnect refused: ask
 *   `GET /api/session`. 401 means the session has ended: status `signed-out`, no more retries
 *   until the page is shown again. Anything else (503 while sign-in is unavailable, no
 *   network): status `paused` and retries with backoff; `retry()` tries at once.
 * - A stream that drops (the browser reconnects by itself after the server's `retry:` hint)
 *   and is not back within {@linkcode PAUSE_AFTER_MS} also shows `paused`. The first list
 *   after any reconnect is the whole list, so nothing missed meanwhile stays missing.
 */

/** What the page says about its live updates. */
export type LiveStatus = "live" | "paused" | "signed-out";

/** A streamed list, as the server sends it. */
export interface StreamedList {
  version: number;
  todos: { id: string; text: string; completed: boolean }[];
}

export interface LiveStreamHandlers {
  onList(list: StreamedList): void;
  onStatus(status: LiveStatus): void;
}

export interface LiveStream {
  /** Reconnects now (the Retry button). */
  retry(): void;
  /** The page learned the session ended (a write answered 401): stop and say so. */
  signedOut(): void;
  stop(): void;
}

const EVENTS_URL = "/api/todos/events";
const SESSION_URL = "/api/session";
/** Longest time a dropped stream stays unannounced: the bound on a live-looking stale list. */
export const PAUSE_AFTER_MS = 4000;
const FIRST_BACKOFF_MS = 2000;
const MAX_BACKOFF_MS = 30_000;
/** Expiry reconnects closer together than this wait for the backoff instead (no tight loop). */
const MIN_RENEW_INTERVAL_MS = 1000;

/** Opens the page's event stream and keeps it open; see the module comment. */
export function followTodoEvents({ onList, onStatus }: LiveStreamHandlers): LiveStream {
  let source: EventSource | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let backoff = FIRST_BACKOFF_MS;
  let lastRenewal = 0;
  let stopped = false;
  const { setStatus, down, clearPause } = statusReport(onStatus);

  const open = () => {
    if (stopped) return;
    clearTimeout(retryTimer);
    source?.close();
    const stream = source = new EventSource(EVENTS_URL);
    listen(stream, {
      opened() {
        backoff = FIRST_BACKOFF_MS;
        clearPause();
        setStatus("live");
      },
      onList,
      ended(renew) {
        stream.close();
        down();
        if (renew && Date.now() - lastRenewal > MIN_RENEW_INTERVAL_MS) {
          lastRenewal = Date.now();
          open();
        } else recover();
      },
      failed() {
        if (stream !== source) return;
        down();
        // CONNECTING: the browser reconnects by itself. CLOSED: it gave up (an HTTP error).
        if (stream.readyState === EventSource.CLOSED) recover();
      },
    });
  };

  /** After a refused or ended stream: signed out, or paused and retried later. */
  const recover = async () => {
    const answer = await fetch(SESSION_URL, { cache: "no-store" })
      .then((res) => res.status, () => 0);
    if (stopped || source?.readyState === EventSource.OPEN) return;
    if (answer === 401) return signedOut();
    if (answer !== 200) setStatus("paused"); // sign-in unavailable or offline: say so at once
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  };

  const signedOut = () => {
    source?.close();
    clearTimeout(retryTimer);
    clearPause();
    setStatus("signed-out");
  };

  const retry = () => {
    backoff = FIRST_BACKOFF_MS;
    open();
  };
  /** Shown again or back online with the stream closed: try again (it may be signed in again). */
  const wake = () => {
    if (document.visibilityState !== "visible") return;
    if (!source || source.readyState === EventSource.CLOSED) retry();
  };

  open();
  document.addEventListener("visibilitychange", wake);
  addEventListener("online", wake);
  return {
    retry,
    signedOut,
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearPause();
      source?.close();
      document.removeEventListener("visibilitychange", wake);
      removeEventListener("online", wake);
    },
  };
}

/** What the stream's events mean: opened, a list, the session ended (`renew`: reconnect now), failed. */
interface StreamEvents {
  opened(): void;
  onList(list: StreamedList): void;
  ended(renew: boolean): void;
  failed(): void;
}

/** Hands one EventSource's events to `on`, lists checked for their shape. */
function listen(stream: EventSource, on: StreamEvents) {
  stream.addEventListener("open", () => on.opened());
  stream.addEventListener("todos", (event) => {
    const list = parse(event) as StreamedList | null;
    if (list && Array.isArray(list.todos) && typeof list.version === "number") on.onList(list);
  });
  stream.addEventListener("renew", () => on.ended(true));
  stream.addEventListener("session-ended", (event) => {
    on.ended((parse(event) as { reason?: string } | null)?.reason === "expired");
  });
  stream.addEventListener("error", () => on.failed());
}

/** The status the page shows: a stream that is down reads `paused` unless back in time. */
function statusReport(onStatus: (status: LiveStatus) => void) {
  let status: LiveStatus = "live";
  let pauseTimer: ReturnType<typeof setTimeout> | undefined;
  const setStatus = (next: LiveStatus) => {
    if (next !== status) onStatus(status = next);
  };
  return {
    setStatus,
    /** The stream is not delivering: unless it is back within PAUSE_AFTER_MS, say so. */
    down() {
      pauseTimer ??= setTimeout(() => status === "live" && setStatus("paused"), PAUSE_AFTER_MS);
    },
    clearPause() {
      clearTimeout(pauseTimer);
      pauseTimer = undefined;
    },
  };
}

/** An event's JSON data, or `null` when it is not JSON. */
function parse(event: Event): unknown {
  try {
    return JSON.parse((event as MessageEvent<string>).data);
  } catch {
    return null;
  }
}
