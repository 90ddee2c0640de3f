/**
 * The `/mcp` sub-app: Streamable HTTP, stateless, both protocol eras on one endpoint. Its gates
 * are loaded with the app: CORS and the Origin check, then bearer authentication. What serves a
 * POST behind them (lib/mcp/post.ts: the body, the scopes, the v2 SDK and the todo definitions)
 * is loaded on the first POST.
 */
import { Hono } from "hono";
import { requireBearer } from "./bearer.ts";
import type { AppEnv } from "../http/context.ts";
import { lazyImport } from "../lazy_import.ts";
import { handleMcpError } from "./errors.ts";
import { mcpCors, refuseForeignOrigin } from "./origin.ts";
import { MethodNotAllowedError, NotFoundError } from "../errors.ts";
import { listMarkerKey } from "../todos/keys.ts";
import { MCP_PATH } from "../http/protected_resource.ts";

const post = lazyImport(() => import("./post.ts"));

/**
 * The endpoint, also with a slash after it (clients and people often add one). Plain paths,
 * so Hono's RegExpRouter still routes the whole app: a custom regex in any route would put
 * every request on its slower TrieRouter.
 */
const ENDPOINT = [MCP_PATH, `${MCP_PATH}/`];

/**
 * Builds the `/mcp` sub-app, to be mounted at the root app (its paths are whole), whose error
 * handler answers with `answerError`: every error it answers itself is a JSON-RPC error
 * (lib/mcp/errors.ts).
 */
export function createMcpApp(): Hono<AppEnv> {
  const mcp = new Hono<AppEnv>();
  const everything = `${MCP_PATH}/*`; // also `/mcp` itself
  mcp.use(everything, mcpCors());
  // The other gates, in one layer (each Hono layer is a call and a promise more on every
  // request). From here on, the root app maps what is thrown with the MCP mapper: a sub-app's
  // own `onError` would do the same, but Hono wraps each of its handlers in a composer for it.
  mcp.use(everything, async (c, next) => {
    c.set("answerError", handleMcpError);
    refuseForeignOrigin(c);
    await requireBearer(c, listMarkerAlong);
    await next();
  });
  mcp.on("POST", ENDPOINT, async (c) => (await post()).servePost(c));
  // Stateless: no standalone SSE stream to GET and no session to DELETE (spec: answer 405).
  for (const path of ENDPOINT) {
    mcp.all(path, () => {
      throw new MethodNotAllowedError("Method not allowed: send JSON-RPC requests with POST.", [
        "POST",
        "OPTIONS",
      ]);
    });
  }
  mcp.all(everything, (c) => {
    throw new NotFoundError(`Nothing at ${c.req.path}: the MCP endpoint is /mcp.`);
  });
  return mcp;
}

/**
 * For a POST that may call listTodos, the user's list marker: read with the grant, so that
 * the call reads KV once (one round trip on Deno Deploy) where it read twice. The body is not
 * read yet: a 2026-07-28 client names its call in `Mcp-Method` and `Mcp-Name` (the SDK refuses
 * a body that differs), a 2025 client does not, so its every POST reads the marker along.
 */
function listMarkerAlong(req: Request): ((userId: string) => Deno.KvKey[]) | null {
  if (req.method !== "POST") return null;
  const method = req.headers.get("Mcp-Method");
  if (method !== null && (method !== "tools/call" || req.headers.get("Mcp-Name") !== "listTodos")) {
    return null;
  }
  return (userId) => [listMarkerKey(userId)];
}
