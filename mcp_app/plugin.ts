/**
 * The MCP App view's build step as a plugin of the page layer (fresh.config.ts). The builder
 * (mcp_app/build.ts, with `deno bundle`) loads only when a build runs, never when the server
 * starts.
 */
import type { Plugin } from "../lib/pages/mod.ts";

/** The files the view's build reads; a change to one makes the next build run. */
const VIEW_INPUTS = ["mcp_app/view.tsx", "mcp_app/view.css", "static/styles.css"];

/** Builds the MCP App view with every build (`deno task build`, each rebuild of `deno task dev`). */
export function mcpAppPlugin(): Plugin {
  return {
    name: "mcp-app",
    inputs: VIEW_INPUTS,
    async buildStart() {
      const { buildMcpApp } = await import("./build.ts");
      console.log(`Built the MCP App view: ${await buildMcpApp()} bytes`);
    },
  };
}
