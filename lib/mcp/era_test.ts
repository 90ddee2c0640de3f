/** The era a POST is served in: the cheap readings agree with the SDK's own `isLegacyRequest`. */
import assert from "node:assert/strict";
import { isLegacyPost, isPlainLegacyRequest } from "./era.ts";
import { isLegacyRequest } from "./sdk.ts";

const CLAIM = "io.modelcontextprotocol/protocolVersion";
const ENVELOPE = {
  [CLAIM]: "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "test", version: "1.0.0" },
};
const LIST = { name: "listTodos", arguments: { filter: "all" } };
const request = (extra: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: LIST,
  ...extra,
});

/** Bodies of every shape the classification distinguishes, plain and odd. */
const BODIES: Record<string, unknown> = {
  "a 2025 tools/call": request(),
  "a string id": request({ id: "a-1" }),
  "no params": request({ params: undefined }),
  "empty params": request({ params: {} }),
  "an initialize": request({ method: "initialize", params: { protocolVersion: "2025-11-25" } }),
  "a _meta without the claim": request({ params: { ...LIST, _meta: { progressToken: 1 } } }),
  "a bad progress token": request({ params: { ...LIST, _meta: { progressToken: {} } } }),
  "the 2026 envelope": request({ params: { ...LIST, _meta: ENVELOPE } }),
  "an initialize with the envelope": request({ method: "initialize", params: { _meta: ENVELOPE } }),
  "a fractional id": request({ id: 1.5 }),
  "an unsafe integer id": request({ id: 2 ** 53 }),
  "a null id": request({ id: null }),
  "an extra member": request({ extra: true }),
  "a __proto__ member": JSON.parse('{"jsonrpc":"2.0","id":1,"method":"ping","__proto__":{}}'),
  "jsonrpc 1.0": request({ jsonrpc: "1.0" }),
  "no jsonrpc": { id: 1, method: "ping" },
  "a numeric method": request({ method: 5 }),
  "array params": request({ params: [1] }),
  "null params": request({ params: null }),
  "a notification": { jsonrpc: "2.0", method: "notifications/initialized" },
  "a result": { jsonrpc: "2.0", id: 1, result: {} },
  "an error": { jsonrpc: "2.0", id: 1, error: { code: 1, message: "x" } },
  "a batch": [request(), request({ id: 2 })],
  "an empty batch": [],
  "a string": "tools/call",
};

/** `MCP-Protocol-Version` values: none, 2025-era, 2026-era, later, padded, unknown. */
const VERSIONS = [null, "2025-11-25", "2024-11-05", "2026-07-28", "2099-01-01", " 2025-11-25", "x"];

function post(body: unknown, version: string | null): Request {
  const headers = new Headers({ "Content-Type": "application/json" });
  if (version !== null) headers.set("MCP-Protocol-Version", version);
  return new Request("http://127.0.0.1/mcp", {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
}

Deno.test("every body and header is served in the era the SDK's own check names", async () => {
  for (const [name, body] of Object.entries(BODIES)) {
    for (const version of VERSIONS) {
      const sdk = await isLegacyRequest(post(body, version), body);
      assert.equal(await isLegacyPost(post(body, version), body), sdk, `${name}, ${version}`);
    }
  }
});

Deno.test("a plain 2025 request is recognized without asking the SDK", () => {
  for (const name of ["a 2025 tools/call", "a string id", "no params", "an initialize"]) {
    assert.equal(isPlainLegacyRequest(post(BODIES[name], "2025-11-25"), BODIES[name]), true, name);
    assert.equal(isPlainLegacyRequest(post(BODIES[name], null), BODIES[name]), true, name);
  }
  for (const name of ["a _meta without the claim", "the 2026 envelope", "an extra member"]) {
    assert.equal(isPlainLegacyRequest(post(BODIES[name], null), BODIES[name]), false, name);
  }
  const body = BODIES["a 2025 tools/call"];
  assert.equal(isPlainLegacyRequest(post(body, "2026-07-28"), body), false);
});
