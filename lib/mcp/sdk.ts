/**
 * The MCP server SDK (v2: `@modelcontextprotocol/server`), imported in one place so that
 * the rest of lib/mcp names what it uses from it. Tests import clients from
 * lib/testing/mcp_sdk.ts.
 */
export {
  type AuthInfo,
  type CallToolResult,
  createMcpHandler,
  isLegacyRequest,
  McpServer,
  type McpServerFactory,
  preloadSchemas,
  ResourceNotFoundError,
  ResourceTemplate,
  type ServerContext,
  type ServerEvent,
  type ServerEventBus,
  type StandardSchemaWithJSON,
  SUPPORTED_PROTOCOL_VERSIONS,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
