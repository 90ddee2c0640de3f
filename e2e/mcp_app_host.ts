/**
 * Browser side of the MCP App test host (e2e/mcp_app_test.ts): the official `AppBridge` of
 * `@modelcontextprotocol/ext-apps` renders the view in a sandboxed iframe (scripts only, an
 * opaque origin) and forwards its `tools/call` requests to the test's MCP client, which holds
 * the user's token and talks to the app's /mcp (as a real host's backend does).
 * Bundled for the browser by the test with `deno bundle`.
 */
/// <reference lib="dom" />
import {
  AppBridge,
  type McpUiHostContext,
  PostMessageTransport,
} from "@modelcontextprotocol/ext-apps/app-bridge";

interface HostWindow {
  /** Exposed by the test (playwright `exposeFunction`): runs a tool with the user's token. */
  hostCallTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
  startHost(options: StartOptions): Promise<void>;
  setHostContext(context: McpUiHostContext): void;
  /** What the view told the host, for the test to read. */
  record: {
    initialized: boolean;
    sizes: { width?: number; height?: number }[];
    displayModes: string[];
    modelContext: unknown[];
    appInfo?: unknown;
  };
}

interface StartOptions {
  html: string;
  toolInput: Record<string, unknown>;
  toolResult: Record<string, unknown>;
  hostContext: McpUiHostContext;
}

const host = globalThis as unknown as HostWindow & typeof globalThis;
host.record = { initialized: false, sizes: [], displayModes: [], modelContext: [] };

host.startHost = async ({ html, toolInput, toolResult, hostContext }) => {
  const iframe = document.createElement("iframe");
  iframe.id = "view";
  iframe.title = "Todo list view";
  iframe.setAttribute("sandbox", "allow-scripts");
  iframe.style.cssText = "width: 480px; height: 200px; border: 0; display: block";
  document.body.append(iframe);

  const bridge = new AppBridge(
    null,
    { name: "todo-test-host", version: "1.0.0" },
    { serverTools: {}, updateModelContext: { text: {}, structuredContent: {} } },
    { hostContext },
  );
  bridge.oncalltool = (params) =>
    host.hostCallTool({ name: params.name, arguments: params.arguments }) as ReturnType<
      NonNullable<typeof bridge.oncalltool>
    >;
  bridge.onsizechange = ({ width, height }) => {
    host.record.sizes.push({ width, height });
    if (height !== undefined) iframe.style.height = `${height}px`;
  };
  bridge.onrequestdisplaymode = ({ mode }) => {
    host.record.displayModes.push(mode);
    bridge.setHostContext({ ...hostContext, displayMode: mode });
    return Promise.resolve({ mode });
  };
  bridge.onupdatemodelcontext = (params) => {
    host.record.modelContext.push(params);
    return Promise.resolve({});
  };
  bridge.oninitialized = () => {
    host.record.initialized = true;
    host.record.appInfo = bridge.getAppVersion?.();
    bridge.sendToolInput({ arguments: toolInput });
    bridge.sendToolResult(toolResult as Parameters<typeof bridge.sendToolResult>[0]);
  };
  host.setHostContext = (context) => bridge.setHostContext(context);

  // The transport listens before the view's script can send `ui/initialize`.
  await bridge.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));
  iframe.srcdoc = html;
};
