/**
 * The MCP App view of the todo list (the `io.modelcontextprotocol/ui` extension):
 * `listTodos` names {@link VIEW_URI} in `_meta.ui.resourceUri`, and `resources/read` of it
 * returns the self-contained HTML document that mcp_app/build.ts builds. The file is read
 * once per isolate; the view reaches todos only through the host's `tools/call`.
 */
import { VIEW_FILE } from "./app_view_file.ts";
import type { McpServer } from "./sdk.ts";

/** The view's resource URI. */
export const VIEW_URI = "ui://todo-app/todo-list.html";

/** The MIME type MCP Apps hosts render (HTML, MCP App profile). */
export const VIEW_MIME_TYPE = "text/html;profile=mcp-app";

/** What a tool declares to have the view shown with its result (both spellings hosts read). */
export const VIEW_TOOL_META = { ui: { resourceUri: VIEW_URI }, "ui/resourceUri": VIEW_URI };

/** The view's resource metadata: no network origins at all, and a border from the host. */
const VIEW_RESOURCE_META = { ui: { csp: {}, prefersBorder: true } };

/** The same for every user, changing only with a deploy: shareable, 5 min. */
const SHARED = { ttlMs: 5 * 60 * 1000, cacheScope: "public" } as const;

let viewHtml: Promise<string> | null = null;

/** The built view document, read once (a failed read is forgotten, so a later build is found). */
export function readViewHtml(file: URL = VIEW_FILE): Promise<string> {
  viewHtml ??= Deno.readTextFile(file).catch((error) => {
    viewHtml = null;
    throw new Error(`The MCP App view is not built (run \`deno task build\`): ${error.message}`);
  });
  return viewHtml;
}

/** Adds the view resource to `server`. */
export function registerAppResource(server: McpServer): void {
  server.registerResource(
    "todo-list-view",
    VIEW_URI,
    {
      title: "Todo list view",
      description: "The interactive todo list, shown by hosts that render MCP Apps.",
      mimeType: VIEW_MIME_TYPE,
      _meta: VIEW_RESOURCE_META,
      cacheHint: SHARED,
    },
    async (uri) => ({
      contents: [{
        uri: uri.href,
        mimeType: VIEW_MIME_TYPE,
        text: await readViewHtml(),
        _meta: VIEW_RESOURCE_META,
      }],
    }),
  );
}
