/** Reading parsed JSON-RPC bodies, which are `unknown` until checked. */

/** True for a JSON object: not `null`, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
