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
 * - The connection (browser/live_stream.ts) reconnects at once when the session JWT expires
 *   (the server renews it on the reconnect), and says when it cannot follow: `status` is
 *   `paused` (shown with a Retry button) or `signed-out` (shown with a sign-in link), for
 *   components/LiveStatus.tsx. The first event after any reconnect is the whole list.
 *
 * Without JavaScript none of this runs and the page works by forms, as before.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import {
  followTodoEvents,
  type LiveStatus,
  type LiveStream,
  type StreamedList,
} from "./live_stream.ts";
import type { TodoItem } from "../todo_list/view.ts";

/** Whether the list is following changes, and the page's handles on that. */
export interface LiveSync {
  status: LiveStatus;
  /** Reconnects now (the "Live updates paused" Retry button). */
  retry(): void;
  /** A write learned the session ended: stop following and show it. */
  signedOut(): void;
}

/** A focused text input's state, put back after a render that reset it. */
interface Typing {
  input: HTMLInputElement;
  value: string;
  start: number | null;
  end: number | null;
}

/**
 * The list to show, its setter (for the page's own REST answers), a `fetch` for the page's
 * writes and the live status; the list follows every change to the person's todos while the
 * page is open.
 */
export function useLiveTodos(
  initial: TodoItem[],
): [TodoItem[], (list: TodoItem[]) => void, typeof fetch, LiveSync] {
  const [todos, setTodos] = useState(initial);
  const state = useRef({
    /** Newest streamed list seen (applied or held back). */
    latest: null as StreamedList | null,
    /** Version of the list shown, when it came from the stream. */
    shown: -1,
    /** Lowest version that includes the page's own last write. */
    floor: 0,
    inFlight: 0,
  }).current;
  const keepTyping = useKeptTyping();

  /** Shows `list`, keeping the text of a focused input in the list. */
  const show = (list: TodoItem[]) => {
    keepTyping();
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

  const live = useTodoEvents((data) => {
    if (state.latest && data.version <= state.latest.version) return;
    state.latest = {
      version: data.version,
      todos: data.todos.map(({ id, text, completed }) => ({ id, text, completed })),
    };
    catchUp();
  });

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

  return [todos, setList, liveFetch, live];
}

/** The connection while the page is open: each streamed list goes to `onList` (as at mount). */
function useTodoEvents(onList: (list: StreamedList) => void): LiveSync {
  const [status, setStatus] = useState<LiveStatus>("live");
  const streamRef = useRef<LiveStream | null>(null);
  useEffect(() => {
    const stream = followTodoEvents({ onList, onStatus: setStatus });
    streamRef.current = stream;
    return stream.stop;
  }, []);
  return {
    status,
    retry: () => streamRef.current?.retry(),
    signedOut: () => streamRef.current?.signedOut(),
  };
}

/**
 * Returns `keepTyping()`, called before a render that applies a list: an input of the list that
 * has focus gets its text and selection back after that render.
 */
function useKeptTyping(): () => void {
  const kept = useRef<Typing | null>(null);
  useLayoutEffect(() => {
    const typing = kept.current;
    kept.current = null;
    if (!typing || !typing.input.isConnected || typing.input.value === typing.value) return;
    typing.input.value = typing.value;
    typing.input.setSelectionRange(typing.start, typing.end);
  });
  return () => {
    const active = document.activeElement;
    if (active instanceof HTMLInputElement && active.closest(".todo-list")) {
      kept.current = {
        input: active,
        value: active.value,
        start: active.selectionStart,
        end: active.selectionEnd,
      };
    }
  };
}
