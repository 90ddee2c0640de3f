/** The MCP server's identifiers as an OAuth protected resource: its URL and its metadata's URL. */

/** Path of RFC 9728 Protected Resource Metadata; the resource's own path follows it. */
export const PROTECTED_RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource";

/** Path of the MCP endpoint, the protected resource. */
export const MCP_PATH = "/mcp";

/** The canonical resource identifier of the MCP server (RFC 8707): `<origin>/mcp`. */
export function resourceUrl(origin: string): string {
  return `${origin}${MCP_PATH}`;
}

/** Where the `/mcp` resource's metadata lives (RFC 9728 §3.1: well-known path + resource path). */
export function protectedResourceMetadataUrl(origin: string): string {
  return `${origin}${PROTECTED_RESOURCE_METADATA_PATH}${MCP_PATH}`;
}
