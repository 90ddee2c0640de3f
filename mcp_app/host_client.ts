/**
 * A small client of the MCP Apps message set (SEP-1865, `io.modelcontextprotocol/ui`), the
 * view's side: JSON-RPC 2.0 over `postMessage` with the host window (the iframe's parent).
 * The official `App` class carries the whole SDK and zod (650 KB); a todo list needs
 * `ui/initialize`, `tools/call`, the size, display-mode and model-context messages, and the
 * host's notifications (tool input, tool result, host context, teardown).
 */

/** The MCP Apps protocol revision this view speaks. */
export const PROTOCOL_VERSION = "2026-01-26";

export type Theme = "light" | "dark";
export type DisplayMode = "inline" | "fullscreen" | "pip";

/** The parts of the host context (`McpUiHostContext`) the view uses. */
export interface HostContext {
  theme?: Theme;
  displayMode?: DisplayMode;
  availableDisplayModes?: DisplayMode[];
  styles?: { variables?: Record<string, string | undefined> };
  [key: string]: unknown;
}

/** What `ui/initialize` answers (`McpUiInitializeResult`). */
export interface InitializeResult {
  protocolVersion: string;
  hostInfo?: { name: string; version: string };
  hostCapabilities?: {
    serverTools?: object;
    updateModelContext?: object;
    [key: string]: unknown;
  };
  hostContext?: HostContext;
}

/** An MCP tool result (`CallToolResult`), as much of it as the view reads. */
export interface ToolResult {
  content?: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** A JSON-RPC error answer from the host, as an exception. */
export class HostError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

interface Message {
  jsonrpc: "2.0";
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string };
}

type Pending = { resolve(value: unknown): void; reject(error: Error): void };

/** How long the view waits for any one answer from the host. */
const TIMEOUT_MS = 30_000;

/** The view's connection to its host: requests, notifications, and handlers for the host's. */
export class HostClient {
  #nextId = 1;
  #pending = new Map<string | number, Pending>();
  #handlers = new Map<string, (params: Record<string, unknown>) => unknown>();
  #host: Window;

  constructor(host: Window = globalThis.parent) {
    this.#host = host;
    addEventListener("message", (event) => {
      // Only the host window speaks to the view; anything else (another frame, an
      // extension) is ignored.
      if (event.source !== this.#host) return;
      const message = event.data as Message | null;
      if (message?.jsonrpc !== "2.0") return;
      this.#receive(message);
    });
    // The host may ask whether the view is alive and tell it to clean up.
    this.on("ping", () => ({}));
    this.on("ui/resource-teardown", () => ({}));
  }

  /** Handles the host's request or notification `method` (a request answers the return value). */
  on(method: string, handler: (params: Record<string, unknown>) => unknown): void {
    this.#handlers.set(method, handler);
  }

  /** Sends a request and resolves with its result; a JSON-RPC error rejects as `HostError`. */
  request<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new HostError(-32001, "The app host did not answer in time."));
      }, TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value as T)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.#send({ jsonrpc: "2.0", id, method, params });
    });
  }

  /** Sends a notification (no answer). */
  notify(method: string, params: Record<string, unknown> = {}): void {
    this.#send({ jsonrpc: "2.0", method, params });
  }

  /** The `ui/initialize` handshake, then `ui/notifications/initialized`. */
  async initialize(
    appInfo: { name: string; version: string },
    appCapabilities: Record<string, unknown>,
  ): Promise<InitializeResult> {
    const result = await this.request<InitializeResult>("ui/initialize", {
      appInfo,
      appCapabilities,
      protocolVersion: PROTOCOL_VERSION,
    });
    this.notify("ui/notifications/initialized");
    return result;
  }

  /** Calls a tool of the MCP server through the host (it adds the user's credentials). */
  callTool(name: string, args: Record<string, unknown>): Promise<ToolResult> {
    return this.request<ToolResult>("tools/call", { name, arguments: args });
  }

  #send(message: Message) {
    // The view has an opaque origin and the host's is not known to it: "*" is what the spec
    // uses. Nothing secret is sent; answers are checked to come from the host window.
    this.#host.postMessage(message, "*");
  }

  async #receive(message: Message) {
    if (message.method === undefined) {
      const pending = message.id !== undefined ? this.#pending.get(message.id) : undefined;
      if (!pending) return;
      this.#pending.delete(message.id!);
      if (message.error) {
        pending.reject(new HostError(message.error.code, String(message.error.message)));
      } else pending.resolve(message.result);
      return;
    }
    const handler = this.#handlers.get(message.method);
    if (message.id === undefined) {
      try {
        handler?.(message.params ?? {});
      } catch (error) {
        console.error(`Handling ${message.method} failed:`, error);
      }
      return;
    }
    if (!handler) {
      this.#send({
        jsonrpc: "2.0",
        id: message.id,
        error: { code: -32601, message: `Method not found: ${message.method}` },
      });
      return;
    }
    try {
      const result = await handler(message.params ?? {});
      this.#send({ jsonrpc: "2.0", id: message.id, result: result ?? {} });
    } catch (error) {
      this.#send({
        jsonrpc: "2.0",
        id: message.id,
        error: { code: -32603, message: error instanceof Error ? error.message : String(error) },
      });
    }
  }
}

/** The text of a tool result's first text content (an error's message). */
export function resultText(result: ToolResult): string {
  return result.content?.find((part) => part.type === "text")?.text ?? "";
}
