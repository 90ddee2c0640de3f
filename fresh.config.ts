/** The page layer's configuration and plugins (lib/pages/mod.ts), as Fresh's fresh.config.ts. */
import { defineConfig } from "./lib/pages/mod.ts";
import { mcpAppPlugin } from "./mcp_app/plugin.ts";

export default defineConfig({
  // The MCP App view (one HTML document for MCP hosts) is built with the islands.
  plugins: [mcpAppPlugin()],
  // The consent page holds a CSRF token next to text a client chose (its name): compressing
  // it is what BREACH-style guessing needs, so pages under /oauth/ go uncompressed.
  compress: (url) => !url.pathname.startsWith("/oauth/"),
});
