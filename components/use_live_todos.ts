/**
 * Live sync for the todo page: a hook that holds the list the page shows and keeps it in step
 * with `GET /api/todos/events` (lib/api/events.ts), so changes made elsewhere (another tab,
 * an agent over MCP, the REST API) appear at once.
 *
 * - Streamed lists carry a version (the user's change count); an older one than the page shows
 *   is ignored. The page's own writes go through the returned `fetch`, which holds streamed
 *   lists back while a write is in flight and reads the version the write left the list at
 *   (`X-Todos-Version`), so a list read before the write never replaces its answer (no flicker).
 * - Applying a list keeps what the person is typing: an input of the list that has focus gets
 *   its text and selection back after the render (Preact resets `value` props on render).
 * - After a disconnect (server restart, network) the browser reconnects by itself (`retry:`);
 *   when it gives up (an HTTP error) the hook retries with backoff, and the first event after
 *   any reconnect is the whole list, so changes made meanwhile show too. A signed-out session
 *   stops it until the page is shown again.
 *
 * Without JavaScript none of this runs and the page works by forms, as before.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { TodoItem } from "./todo_view.ts";

const EVENTS_URL = "/api/todos/events";
const MAX_BACKOFF_MS = 60_000;

interface Streamed {
  version: number;
  todos: TodoItem[];
}

/** A focused text input's state, put back after a render that reset it. */
interface Typing {
  input: HTMLInputElement;
  value: string;
  start: number | null;
  end: number | null;
}

/**
 * The list to show, its setter (for the page's own REST answers) and a `fetch` for the page's
 * writes; the list follows every change to the person's todos while the page is open.
 */
export function useLiveTodos(
  initial: TodoItem[],
): [TodoItem[], (list: TodoItem[]) => void, typeof fetch] {
  const [todos, setTodos] = useState(initial);
  const state = useRef({
    /** Newest streamed list seen (applied or held back). */
    latest: null as Streamed | null,
    /** Version of the list shown, when it came from the stream. */
    shown: -1,
    /** Lowest version that includes the page's own last write. */
    floor: 0,
    inFlight: 0,
    typing: null as Typing | null,
  }).current;

  /** Shows `list`, keeping the text of a focused input in the list. */
  const show = (list: TodoItem[]) => {
    const active = document.activeElement;
    if (active instanceof HTMLInputElement && active.closest(".todo-list")) {
      state.typing = {
        input: active,
        value: active.value,
        start: active.selectionStart,
        end: active.selectionEnd,
      };
    }
    setTodos(list);
  };

  /** Shows the newest streamed list if it is new and includes the page's own writes. */
  const catchUp = () => {
    const latest = state.latest;
    if (!latest || state.inFlight > 0) return;
    if (latest.version > state.shown && latest.version >= state.floor) {
      state.shown = latest.version;
      show(latest.todos);
    }
  };

  useLayoutEffect(() => {
    const typing = state.typing;
    state.typing = null;
    if (!typing || !typing.input.isConnected || typing.input.value === typing.value) return;
    typing.input.value = typing.value;
    typing.input.setSelectionRange(typing.start, typing.end);
  });

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let backoff = 2000;
    let stopped = false;

    const open = () => {
      clearTimeout(retry);
      source?.close();
      source = new EventSource(EVENTS_URL);
      source.addEventListener("open", () => backoff = 2000);
      source.addEventListener("todos", (event) => {
        try {
          const data = JSON.parse((event as MessageEvent<string>).data) as Streamed;
          if (!Array.isArray(data.todos) || typeof data.version !== "number") return;
          if (state.latest && data.version <= state.latest.version) return;
          state.latest = {
            version: data.version,
            todos: data.todos.map(({ id, text, completed }) => ({ id, text, completed })),
          };
          catchUp();
        } catch {
          // not ours: ignore
        }
      });
      source.addEventListener("session-ended", () => {
        source?.close();
        recover();
      });
      source.addEventListener("error", () => {
        // CONNECTING: the browser reconnects by itself. CLOSED: it gave up (an HTTP error).
        if (source?.readyState === EventSource.CLOSED) recover();
      });
    };

    /** Reconnects later, unless the session is gone: then waits for the page to be shown. */
    const recover = async () => {
      if (stopped) return;
      const signedIn = await fetch("/api/session", { cache: "no-store" })
        .then((res) => res.status !== 401, () => true);
      if (stopped) return;
      if (!signedIn) return; // `visibilitychange` below tries again when the page is shown
      retry = setTimeout(open, backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    };

    const onVisible = () => {
      if (document.visibilityState === "visible" && source?.readyState === EventSource.CLOSED) {
        open();
      }
    };

    open();
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, []);

  /** The page's own answer to its write; the newest streamed list wins when it includes it. */
  const setList = (list: TodoItem[]) => {
    const latest = state.latest;
    if (latest && latest.version >= state.floor) {
      state.shown = latest.version; // streamed after the write: it has the write and more
      show(latest.todos);
    } else {
      show(list); // the stream brings the write's version soon
    }
  };

  const liveFetch: typeof fetch = async (input, init) => {
    state.inFlight++;
    try {
      const res = await fetch(input, init);
      const version = Number(res.headers.get("X-Todos-Version"));
      if (Number.isSafeInteger(version)) state.floor = Math.max(state.floor, version);
      return res;
    } finally {
      state.inFlight--;
      // The page applies its answer next (`setList`); if it does not (an error), catch up.
      setTimeout(catchUp, 0);
    }
  };

  return [todos, setList, liveFetch];
}
