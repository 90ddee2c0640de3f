/**
 * Serving one POST to `/mcp`, after its gates (lib/mcp/http.ts): the body is read once
 * (bounded) and parsed, its scopes checked, and its parsed value goes to the v2 SDK: the
 * 2026-07-28 era to `createMcpHandler`, the 2025 era (no `_meta` envelope claim, as the SDK's
 * own `isLegacyRequest` decides, see lib/mcp/era.ts) to lib/mcp/legacy.ts. Loaded on the first
 * POST, with the SDK and the todo definitions.
 */
import type { Context } from "hono";
import { requireScopes } from "./bearer.ts";
import { TODO_SCOPES } from "../auth/todo_scopes.ts";
import type { AppEnv } from "../http/context.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../http/json_depth.ts";
import { authInfoFor } from "./context.ts";
import { serveLegacy } from "./legacy.ts";
import { findParamsProblems, restateParamsErrors } from "./params.ts";
import { requiredScopes } from "./scopes.ts";
import { listEveryVersion } from "./versions.ts";
import { needsOf } from "./needs.ts";
import { isLegacyPost } from "./era.ts";
import { createMcpHandler } from "./sdk.ts";
import { createTodoServerFactory, TOOL_ACCESS } from "./server.ts";
import {
  bearerExpiry,
  createKvEventBus,
  isListenRequest,
  type ListenHandle,
  runListen,
} from "./subscriptions.ts";
import { clientIp } from "../http/client_ip.ts";
import type { LiveConfig } from "../tuning.ts";
import { InvalidJsonError, PayloadTooLargeError } from "../errors.ts";
import { streamSlotsFor } from "../live/limits.ts";
import { isObject } from "./json_object.ts";

const TOOL_NAMES = Object.keys(TOOL_ACCESS);

/** Largest JSON-RPC request body accepted; larger ones get 413. */
export const MAX_MCP_BODY_BYTES = 1024 * 1024;

/**
 * The server factory and the 2026-07-28 handler per KV handle (one per app in production; the
 * first app's live tuning serves a handle, as `streamSlotsFor`'s does).
 */
const served = new WeakMap<Deno.Kv, ReturnType<typeof createServing>>();

/** Answers a POST that passed the Origin and bearer gates (`grant` is set). */
export async function servePost(c: Context<AppEnv>): Promise<Response> {
  // `c.get` reads one variable; Hono's `c.var` copies them all into a new object each time.
  const { kv, config } = c.get("deps");
  const grant = c.get("grant");
  let text: string | null;
  try {
    text = await readLimited(c.req.raw, MAX_MCP_BODY_BYTES);
  } catch {
    throw new InvalidJsonError("Parse error: the request body could not be read.");
  }
  if (text === null) throw new PayloadTooLargeError(MAX_MCP_BODY_BYTES);
  if (nestsDeeperThan(text)) {
    throw new InvalidJsonError(
      `Parse error: the request body nests deeper than ${MAX_JSON_DEPTH} levels.`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new InvalidJsonError("Parse error: the request body is not JSON.");
  }
  requireScopes(grant, requiredScopes(body), TODO_SCOPES);

  let serving = served.get(kv);
  if (!serving) served.set(kv, serving = createServing(kv, config.live));
  const marker = oneCall(body) ? c.get("readWithGrant")[0] : undefined;
  const authInfo = authInfoFor(grant, marker, needsOf(body));
  const request = c.req.raw;
  const modern = () => serving.modern.fetch(request, { parsedBody: body, authInfo });
  let response: Response;
  if (await isLegacyPost(request, body)) {
    response = await serveLegacy(serving.factory, request, body, authInfo);
  } else if (isListenRequest(body)) {
    const userId = grant.userId;
    const handle: ListenHandle = { end: () => {}, queued: () => 0 };
    const release = streamSlotsFor(kv, config.live).acquire(userId, {
      kind: "mcp",
      address: clientIp(c),
      evict: (retryMs) => handle.end(retryMs),
      queuedBytes: () => handle.queued(),
    });
    const { identity } = c.get("deps");
    response = await runListen(kv, userId, release, modern, {
      expiresAt: bearerExpiry(c.req.header("Authorization")),
      grantLive: () => identity.isGrantLive?.(grant) ?? Promise.resolve(true),
      recheckMs: config.live.heartbeatMs,
      handle,
    });
  } else {
    response = await modern();
  }
  response = await listEveryVersion(body, response);
  const problems = findParamsProblems(body, TOOL_NAMES);
  return problems ? await restateParamsErrors(response, problems) : response;
}

/** True when `body` is one `tools/call` (not a batch): its one list read may use the marker. */
function oneCall(body: unknown): boolean {
  return isObject(body) && body.method === "tools/call";
}

/** The server factory and the 2026-07-28 handler (its listen streams on KV) for one KV store. */
function createServing(kv: Deno.Kv, live: LiveConfig) {
  const factory = createTodoServerFactory(kv);
  const modern = createMcpHandler(factory, {
    legacy: "reject",
    maxRequestBodySize: MAX_MCP_BODY_BYTES,
    onerror: reportError,
    bus: createKvEventBus(kv),
    maxSubscriptions: live.maxStreams,
    keepAliveMs: live.heartbeatMs,
  });
  return { factory, modern };
}

/** Logs what the SDK reports, except the refusals of client mistakes it already answered. */
function reportError(error: Error): void {
  if (
    /^Rejected |Unsupported protocol version|Missing required client capab/i.test(error.message)
  ) {
    return;
  }
  console.error("MCP:", error);
}

/**
 * Reads a body as text, or `null` as soon as it is known to exceed `maxBytes`. A body with a
 * Content-Length and no Transfer-Encoding (what MCP clients send) is read whole, as the server
 * frames it by that length (checked against the limit first); any other chunk by chunk,
 * stopping at the limit.
 */
async function readLimited(req: Request, maxBytes: number): Promise<string | null> {
  const declared = req.headers.get("Content-Length");
  if (Number(declared) > maxBytes) {
    await req.body?.cancel();
    return null;
  }
  if (declared !== null && !req.headers.has("Transfer-Encoding")) {
    const text = await req.text();
    // At most `declared` bytes, as the server frames it (so at most that many characters);
    // the length check is only a rough guard for a Request built in-process.
    return text.length > maxBytes ? null : text;
  }
  if (!req.body) return "";
  const reader = req.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    text += decoder.decode(value, { stream: true });
  }
}
