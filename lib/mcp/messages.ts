/**
 * JSON-RPC checks the SDK makes with the wrong error code, made first with the right one.
 * A body that is JSON but not a JSON-RPC message is -32600 Invalid Request (the SDK says
 * -32700 Parse error), and a request whose params do not fit its method is -32602 Invalid
 * params (the SDK's handlers report their zod failure as -32603 Internal error, with the raw
 * zod dump as the message). A call of a tool the server does not have is -32602 too, as the
 * 2025-11-25 spec's tools/Error Handling asks (the SDK answers it with an `isError` result).
 */
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  InitializeRequestSchema,
  JSONRPCMessageSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
  type WebStandardStreamableHTTPServerTransport,
} from "./sdk.ts";

interface Schema {
  safeParse(value: unknown): {
    success: boolean;
    error?: { issues: { path: PropertyKey[]; message: string }[] };
  };
}

/** The request schema of each method this server answers. */
const REQUEST_SCHEMAS: Readonly<Record<string, Schema>> = {
  "initialize": InitializeRequestSchema,
  "ping": PingRequestSchema,
  "tools/list": ListToolsRequestSchema,
  "tools/call": CallToolRequestSchema,
  "resources/list": ListResourcesRequestSchema,
  "resources/templates/list": ListResourceTemplatesRequestSchema,
  "resources/read": ReadResourceRequestSchema,
  "prompts/list": ListPromptsRequestSchema,
  "prompts/get": GetPromptRequestSchema,
};

/**
 * Why a parsed body (one message or a batch) is not JSON-RPC, or `null` when every message
 * is a JSON-RPC request, notification or response.
 */
export function invalidMessageProblem(body: unknown): string | null {
  const messages = Array.isArray(body) ? body : [body];
  for (const [index, message] of messages.entries()) {
    const result = JSONRPCMessageSchema.safeParse(message);
    if (!result.success) {
      const where = Array.isArray(body) ? `message ${index}` : "the message";
      return `Invalid Request: ${where} is not a JSON-RPC 2.0 request, notification or response ` +
        '(it needs jsonrpc "2.0", a method, and a string or integer id for a request).';
    }
  }
  return null;
}

/**
 * Why a request's params do not fit its method (or name a tool not in `tools`), or `null`
 * (also for messages that are not requests).
 */
export function invalidParamsProblem(message: unknown, tools: readonly string[]): string | null {
  if (typeof message !== "object" || message === null || !("id" in message)) return null;
  const { method, params } = message as {
    method?: unknown;
    params?: { uri?: unknown; name?: unknown };
  };
  if (typeof method !== "string" || !Object.hasOwn(REQUEST_SCHEMAS, method)) return null;
  const result = REQUEST_SCHEMAS[method].safeParse(message);
  if (!result.success) {
    const issue = result.error!.issues[0];
    const path = issue.path.map(String).join(".");
    return `Invalid params for ${method}: ${path ? `${path}: ` : ""}${issue.message}`;
  }
  if (method === "resources/read" && !URL.canParse(String(params?.uri))) {
    return "Invalid params for resources/read: params.uri is not a URI.";
  }
  if (method === "tools/call" && !tools.includes(String(params?.name))) {
    const name = JSON.stringify(String(params?.name).slice(0, 100));
    return `Unknown tool: ${name}. This server's tools are ${tools.join(", ")}.`;
  }
  return null;
}

/**
 * Answers requests with invalid params (or for a tool not in `tools`) on `transport` with a
 * -32602 error before the server sees them. Call after `server.connect(transport)`, which
 * sets the handler wrapped here.
 */
export function refuseInvalidParams(
  transport: WebStandardStreamableHTTPServerTransport,
  tools: readonly string[],
): void {
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const problem = invalidParamsProblem(message, tools);
    if (problem === null) return deliver?.(message, extra);
    const id = (message as { id: string | number }).id;
    transport.send({
      jsonrpc: "2.0",
      id,
      error: { code: ErrorCode.InvalidParams, message: problem },
    }).catch(() => {});
  };
}
