/**
 * Benchmark server (run as a subprocess by bench/mcp_vs_rest.ts): the real app over a
 * file-backed KV at `Deno.args[0]`, one local user with `Deno.args[1]` seeded todos, served
 * on loopback. Access tokens come from the loopback test issuer (real RS256 JWTs and JWKS), as
 * in the MCP tests. Prints one JSON line: `{origin, token, cookie}`; runs until killed.
 */
import { createRemoteJWKSet } from "jose";
import { createApp } from "../lib/app.ts";
import type { AccessGrant } from "../lib/auth/identity.ts";
import { verifyJwt } from "../lib/auth/jwt.ts";
import { createLocalIdentity, LOCAL_SESSION_COOKIE } from "../lib/auth/local.ts";
import {
  createSession,
  findOrCreateLocalUser,
  normalizeEmail,
} from "../lib/auth/local_sessions.ts";
import { parseConfig } from "../lib/config.ts";
import { startTestIssuer } from "../lib/testing/issuer.ts";
import { createTodo } from "../lib/todos.ts";

const [kvPath, count = "100"] = Deno.args;
if (!kvPath) throw new Error("usage: serve.ts <kv path> [todo count]");

const kv = await Deno.openKv(kvPath);
const issuer = await startTestIssuer();
const jwks = createRemoteJWKSet(new URL("/.well-known/jwks.json", issuer.origin));
const config = parseConfig({});
const identity = createLocalIdentity({
  kv,
  verifyAccessToken: async (token, resource): Promise<AccessGrant> => {
    const payload = await verifyJwt(token, jwks, { issuers: [issuer.origin], audience: resource });
    return {
      userId: payload.sub!,
      scopes: String(payload.scope).split(" ").filter(Boolean),
      clientId: String(payload.client_id),
    };
  },
});
const app = createApp({ config, kv, identity });

const user = await findOrCreateLocalUser(kv, normalizeEmail("bench@example.com"));
for (let i = 0; i < Number(count); i++) {
  await createTodo(kv, user.id, `Benchmark todo number ${i + 1}`);
}
const cookie = `${LOCAL_SESSION_COOKIE}=${await createSession(kv, user)}`;

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
const origin = `http://127.0.0.1:${server.addr.port}`;
const token = await issuer.sign({
  iss: issuer.origin,
  aud: `${origin}/mcp`,
  sub: user.id,
  scope: "read:todos write:todos",
  client_id: "bench-client",
}, { expiresIn: 24 * 3600 });
console.log(JSON.stringify({ origin, token, cookie }));
