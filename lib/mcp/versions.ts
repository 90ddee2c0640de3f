/**
 * Every protocol revision `/mcp` speaks, in both places a client learns them: the
 * `server/discover` result's `supportedVersions` and the `-32022` unsupported-version error's
 * `data.supported`. The SDK's 2026 handler lists only the 2026-era revisions there; this app
 * also serves the 2025 era on the same endpoint (lib/mcp/legacy.ts), so a client that reads
 * either answer must see those too, newest first.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import { isObject } from "./json_object.ts";

/** JSON-RPC code of the unsupported-protocol-version error (2026-07-28). */
export const UNSUPPORTED_VERSION = -32022;

/** `listed` (the 2026-era revisions the SDK named) followed by the 2025-era ones it serves. */
export function everyVersion(listed: readonly string[]): string[] {
  return [...listed, ...SUPPORTED_PROTOCOL_VERSIONS.filter((version) => !listed.includes(version))];
}

/**
 * `response` with every supported revision listed, when it is a JSON answer to
 * `server/discover` or a `-32022` error; any other response as it is (not read).
 */
export async function listEveryVersion(body: unknown, response: Response): Promise<Response> {
  const discover = isObject(body) && body.method === "server/discover";
  if (!discover && response.status !== 400) return response;
  if (!(response.headers.get("Content-Type") ?? "").startsWith("application/json")) {
    return response;
  }
  const text = await response.text();
  const json = JSON.parse(text);
  const result = isObject(json) && isObject(json.result) ? json.result : null;
  const error = isObject(json) && isObject(json.error) ? json.error : null;
  if (result && Array.isArray(result.supportedVersions)) {
    result.supportedVersions = everyVersion(result.supportedVersions);
  } else if (error?.code === UNSUPPORTED_VERSION && isObject(error.data)) {
    const supported = Array.isArray(error.data.supported) ? error.data.supported : [];
    error.data.supported = everyVersion(supported);
  } else {
    return new Response(text, response);
  }
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  return new Response(JSON.stringify(json), { status: response.status, headers });
}
