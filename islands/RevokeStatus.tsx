import { useEffect, useRef, useState } from "preact/hooks";

/** How long Undo stays offered after a revocation (longer while it has focus). */
const UNDO_MS = 8000;

/**
 * The Connected apps page's polite status region (in the page from load) with the message and,
 * after a revocation, an Undo form that posts without JavaScript. Once hydrated, the Undo is
 * withdrawn after a few seconds, never while it has the keyboard focus.
 */
export default function RevokeStatus(
  { message, undoToken }: { message: string | null; undoToken: string | null },
) {
  const [offered, setOffered] = useState(undoToken !== null);
  const region = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (undoToken === null) return;
    let timer: ReturnType<typeof setTimeout>;
    const expire = () => {
      if (region.current?.contains(document.activeElement)) timer = setTimeout(expire, 2000);
      else setOffered(false);
    };
    timer = setTimeout(expire, UNDO_MS);
    return () => clearTimeout(timer);
  }, [undoToken]);

  return (
    <div class="status" role="status" ref={region}>
      {message}
      {offered && undoToken !== null && (
        <form method="post" action="/connections" class="undo-form">
          <input type="hidden" name="action" value="undo" />
          <input type="hidden" name="token" value={undoToken} />
          <button type="submit">Undo</button>
        </form>
      )}
    </div>
  );
}
