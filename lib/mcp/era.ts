/**
 * Which era serves a POST: the SDK's own rule (`isLegacyRequest`, the rule its 2026 handler
 * routes by), asked only where it can differ from two cheap readings of the parsed body. The
 * SDK's check validates the whole message with zod, three times for a plain request; the
 * readings below decide the common cases exactly as it does, without validating anything.
 */
import { isLegacyRequest, SUPPORTED_PROTOCOL_VERSIONS } from "./sdk.ts";
import { isObject } from "./json_object.ts";

/** The 2025-era revisions; every one is older than 2026-07-28, so a header naming one is legacy. */
const LEGACY_REVISIONS: ReadonlySet<string> = new Set(SUPPORTED_PROTOCOL_VERSIONS);

/** The members a JSON-RPC request may have (the SDK's request schema is strict). */
const REQUEST_MEMBERS: ReadonlySet<string> = new Set(["jsonrpc", "id", "method", "params"]);

/** True when the 2025-era serving answers `request`, whose parsed JSON body is `body`. */
export async function isLegacyPost(request: Request, body: unknown): Promise<boolean> {
  if (carriesEnvelopeClaim(body)) return false;
  if (isPlainLegacyRequest(request, body)) return true;
  return await isLegacyRequest(request, body);
}

/**
 * True for one request message (not a batch, a response or `initialize`) whose params carry
 * the 2026-07-28 envelope claim (`_meta["io.modelcontextprotocol/protocolVersion"]`). The SDK
 * classifies every such message as modern (its 2026 handler then checks the claim itself).
 */
function carriesEnvelopeClaim(body: unknown): boolean {
  if (!isObject(body) || body.method === "initialize" || "result" in body || "error" in body) {
    return false;
  }
  const meta = isObject(body.params) ? body.params._meta : undefined;
  return isObject(meta) && "io.modelcontextprotocol/protocolVersion" in meta;
}

/**
 * True for a JSON-RPC request that the SDK's schema accepts on sight and that carries no
 * `_meta` at all (so no envelope claim), sent without a 2026-era `MCP-Protocol-Version`
 * header: the SDK classifies every such request as legacy. Only `jsonrpc`, `id`, `method`
 * and `params` members; `jsonrpc` "2.0"; a string or safe-integer id; a string method; params
 * absent or an object without `_meta`. Anything else is left to the SDK.
 */
export function isPlainLegacyRequest(request: Request, body: unknown): boolean {
  if (!isObject(body) || body.jsonrpc !== "2.0" || typeof body.method !== "string") return false;
  const { id, params } = body;
  if (typeof id !== "string" && !Number.isSafeInteger(id)) return false;
  if (params !== undefined && (!isObject(params) || "_meta" in params)) return false;
  if (!Object.keys(body).every((member) => REQUEST_MEMBERS.has(member))) return false;
  const version = request.headers.get("MCP-Protocol-Version");
  return version === null || LEGACY_REVISIONS.has(version);
}
