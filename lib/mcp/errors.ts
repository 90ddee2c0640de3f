/**
 * The MCP surface's error mapping. Outside a tool, every error `/mcp` answers itself has one
 * body shape, a JSON-RPC error with no id (`{jsonrpc: "2.0", id: null, error: {code,
 * message}}`), the HTTP status of the family member (lib/errors.ts) and the headers it implies;
 * 401 and 403 carry the RFC 6750 `WWW-Authenticate` challenge naming the RFC 9728 metadata.
 * Codes as the SDK's transport uses them: -32700 for a body that is not JSON, -32600 for an
 * invalid request (400, 413), -32603 for an unexpected error, -32000 for the rest. Inside a
 * tool, a family member below 500 is a tool result with `isError` (its message).
 */
import type { Context } from "hono";
import {
  AppError,
  BearerRequestError,
  InsufficientScopeError,
  InternalError,
  InvalidJsonError,
  InvalidTokenError,
} from "../errors.ts";
import type { AppEnv, BearerChallenge } from "../http/context.ts";
import { errorHeaders, toAppError } from "../http/errors.ts";
import { logStorageFault, toStorageError } from "../kv/faults.ts";
import type { CallToolResult } from "./sdk.ts";

/** JSON-RPC 2.0 error codes `/mcp` answers with at the transport level. */
export const JSON_RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  internalError: -32603,
  serverError: -32000,
} as const;

/** A JSON-RPC error answer with no id (the request's id could not be known). */
export function jsonRpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, {
    status,
    headers,
  });
}

/** The `/mcp` sub-app's error mapper: its `answerError`, which lib/app.ts's error handler uses. */
export function handleMcpError(error: Error, c: Context<AppEnv>): Response {
  const known = toAppError(error, c);
  const headers = errorHeaders(known);
  const challenge = bearerChallengeHeader(known, c.get("bearerChallenge"));
  if (challenge) headers["WWW-Authenticate"] = challenge;
  return jsonRpcError(known.status, jsonRpcCode(known), known.message, headers);
}

/** The JSON-RPC code for a family member (see the module comment). */
export function jsonRpcCode(error: AppError): number {
  if (error instanceof InvalidJsonError) return JSON_RPC.parseError;
  if (error instanceof InternalError) return JSON_RPC.internalError;
  if (error.status === 400 || error.status === 413) return JSON_RPC.invalidRequest;
  return JSON_RPC.serverError;
}

/**
 * RFC 6750 §3 challenge for an error on a bearer-protected route (`bearerChallenge` set by
 * `requireBearer`): no error code when credentials are missing, else `invalid_request`,
 * `invalid_token` or `insufficient_scope` (with the scopes to ask for). `null` for other
 * errors and routes.
 */
export function bearerChallengeHeader(
  error: AppError,
  challenge: BearerChallenge | undefined,
): string | null {
  if (!challenge) return null;
  const params: [string, string][] = [];
  if (error instanceof BearerRequestError) params.push(["error", "invalid_request"]);
  else if (error instanceof InvalidTokenError) params.push(["error", "invalid_token"]);
  else if (error instanceof InsufficientScopeError) params.push(["error", "insufficient_scope"]);
  else if (error.status !== 401) return null;
  if (params.length > 0) params.push(["error_description", error.message]);
  params.push(["resource_metadata", challenge.resourceMetadata]);
  params.push([
    "scope",
    error instanceof InsufficientScopeError ? error.challengeScopes.join(" ") : challenge.scope,
  ]);
  // Quoted-string values: drop what a quoted-string cannot carry rather than escape it.
  return "Bearer " +
    params.map(([key, value]) => `${key}="${value.replace(/[^\x20-\x7E]|["\\]/g, "")}"`).join(", ");
}

/** A tool result with `isError` and `message` as its text. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/**
 * What a tool answers when its body throws: a family member below 500 (a client's mistake, a
 * lost write race) or a storage fault (logged as one line) as an `isError` result with its
 * message; anything else logged and answered without details.
 */
export function toolErrorResult(error: unknown): CallToolResult {
  if (error instanceof AppError && error.status < 500) return toolError(error.message);
  const storage = toStorageError(error);
  if (storage) {
    logStorageFault(storage);
    return toolError(storage.message);
  }
  console.error("MCP tool failed:", error);
  return toolError("Something went wrong on our side; try again.");
}
