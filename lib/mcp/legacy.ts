/**
 * Serving 2025-era requests (2025-11-25, 2025-06-18, 2025-03-26 and older): stateless, one
 * server and one SDK transport per POST, answers as JSON (not SSE streams, as the SDK's
 * built-in fallback would), so 2025 clients see exactly what they saw before the v2 SDK.
 * Two answers are put back to the 2025 spec's codes: JSON that is not JSON-RPC is -32600
 * (the SDK says -32700, a parse error, for a body that parsed), and an unknown resource is
 * -32002 (the v2 SDK emits the 2026 code, -32602 with `data.uri`, in both eras).
 */
import { ValidationError } from "../errors.ts";
import { isObject } from "./json_object.ts";
import {
  type AuthInfo,
  type McpServerFactory,
  WebStandardStreamableHTTPServerTransport,
} from "./sdk.ts";

/** JSON-RPC code of "Resource not found" in the 2025 revisions. */
export const RESOURCE_NOT_FOUND_2025 = -32002;

/** Serves one 2025-era POST whose JSON body is `body` (already read and parsed). */
export async function serveLegacy(
  factory: McpServerFactory,
  request: Request,
  body: unknown,
  authInfo: AuthInfo,
): Promise<Response> {
  if (Array.isArray(body) && body.length === 0) {
    throw new ValidationError("Invalid Request: an empty batch.");
  }
  if (cancelsItsOwnRequest(body)) {
    // A cancelled request is never answered, and a JSON answer waits for every request.
    throw new ValidationError(
      "Invalid Request: the batch cancels one of its own requests, which would leave it " +
        "unanswered; send the request without its cancellation.",
    );
  }
  // Neither is closed after the answer, as in the SDK's own stateless examples: in JSON mode the
  // transport answers once every request in the POST is answered, and then holds no stream, no
  // pending request and no timer, so both are garbage with the answer. Closing would only clear
  // empty maps and build an error object (a stack capture): about a fifteenth of a call's CPU.
  const { transport } = await connectLegacy(factory, request, authInfo);
  const response = await transport.handleRequest(request, { parsedBody: body, authInfo });
  if (response.status === 400) return await restateInvalidRequest(response);
  if (readsResource(body)) return await restateResourceNotFound(response);
  return response;
}

/** A fresh server for `request` connected to a fresh stateless transport that answers in JSON. */
export async function connectLegacy(
  factory: McpServerFactory,
  request: Request,
  authInfo: AuthInfo,
): Promise<{
  server: Awaited<ReturnType<McpServerFactory>>;
  transport: WebStandardStreamableHTTPServerTransport;
}> {
  const server = await factory({ era: "legacy", authInfo, requestInfo: request });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  return { server, transport };
}

/** True for a batch with a `notifications/cancelled` that names a request in the same batch. */
function cancelsItsOwnRequest(body: unknown): boolean {
  if (!Array.isArray(body)) return false;
  const ids = new Set(
    body.filter((message) => isObject(message) && "method" in message && "id" in message)
      .map((message) => message.id),
  );
  return body.some((message) =>
    isObject(message) && message.method === "notifications/cancelled" &&
    isObject(message.params) && ids.has(message.params.requestId)
  );
}

/** The SDK's 400 -32700 for parsed JSON that is not JSON-RPC, as -32600 Invalid Request (400). */
async function restateInvalidRequest(response: Response): Promise<Response> {
  const answer = await response.clone().json().catch(() => null);
  if (answer?.error?.code !== -32700) return response;
  await response.body?.cancel();
  throw new ValidationError(
    "Invalid Request: not a JSON-RPC 2.0 request, notification or response (it needs " +
      'jsonrpc "2.0", a method, and a string or integer id for a request).',
  );
}

function readsResource(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((message) => message?.method === "resources/read");
}

/** Unknown-resource errors (-32602 whose data is exactly `{uri}`) with the 2025 code. */
async function restateResourceNotFound(response: Response): Promise<Response> {
  if (!response.headers.get("Content-Type")?.includes("application/json")) return response;
  const answer = await response.json();
  for (const message of Array.isArray(answer) ? answer : [answer]) {
    const data = message?.error?.data;
    if (
      message?.error?.code === -32602 && typeof data?.uri === "string" &&
      Object.keys(data).length === 1
    ) {
      message.error.code = RESOURCE_NOT_FOUND_2025;
    }
  }
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  return Response.json(answer, { status: response.status, headers });
}
