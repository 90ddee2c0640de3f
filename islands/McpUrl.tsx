import { useEffect, useRef, useState } from "preact/hooks";

/**
 * The MCP server URL with a Copy button. The URL is plain selectable text; the button appears
 * once JavaScript runs (it needs it) and says in a status message whether copying worked.
 */
export default function McpUrl({ url }: { url: string }) {
  const [ready, setReady] = useState(false);
  const [status, setStatus] = useState("");
  const code = useRef<HTMLElement>(null);
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
      const range = document.createRange();
      range.selectNodeContents(code.current!);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      setStatus("The URL is selected: press Ctrl+C (⌘C on a Mac) to copy it.");
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setStatus(""), 4000);
  }

  return (
    <div class="mcp-url-row">
      <code class="mcp-url" ref={code}>{url}</code>
      <button type="button" class="copy" hidden={!ready} onClick={copy}>
        {status.startsWith("Copied") ? "Copied" : "Copy"}
        <span class="visually-hidden">MCP URL</span>
      </button>
      <span class="visually-hidden" role="status">{status}</span>
    </div>
  );
}
