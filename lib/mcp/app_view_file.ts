/**
 * Where the built MCP App view lives: under `static/_islands/` (the build's output folder)
 * but hidden, so it is never served as a static file; only `resources/read` of its `ui://`
 * URI returns it (lib/mcp/app_resource.ts).
 */
export const VIEW_FILE = new URL("../../static/_islands/.mcp-app/todo-list.html", import.meta.url);
