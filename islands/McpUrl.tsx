import { useEffect, useRef, useState } from "preact/hooks";

/**
 * The MCP server URL in a read-only field (one line on any screen, all of it selectable) with a
 * Copy button. The button appears once JavaScript runs (it needs it) and says in a status
 * message whether copying worked.
 */
export default function McpUrl({ url }: { url: string }) {
  const [ready, setReady] = useState(false);
  const [status, setStatus] = useState("");
  const field = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    setReady(true);
    return () => clearTimeout(timer.current);
  }, []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setStatus("Copied the MCP URL.");
    } catch {
      // No clipboard access (an insecure origin, a denied permission): select it instead.
      field.current!.focus();
      field.current!.select();
      setStatus("The URL is selected: press Ctrl+C (⌘C on a Mac) to copy it.");
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setStatus(""), 4000);
  }

  return (
    <div class="mcp-url-row">
      <label class="mcp-url-label">
        <span class="visually-hidden">MCP server URL</span>
        <input
          class="mcp-url"
          ref={field}
          value={url}
          readOnly
          spellcheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
      </label>
      <button type="button" class="copy" hidden={!ready} onClick={copy}>
        {status.startsWith("Copied") ? "Copied" : "Copy"}
        <span class="visually-hidden">MCP URL</span>
      </button>
      <span class="visually-hidden" role="status">{status}</span>
    </div>
  );
}
