/**
 * Benchmark server (run as a subprocess by bench/main.ts): the real app in local mode
 * over a file-backed KV at `Deno.args[0]`, served on loopback. Seeds one reading user with
 * `Deno.args[1]` todos and three writing users with 10, 100 and (just under) 1,000 todos.
 * The MCP access token is a real one from the built-in authorization server (RS256, verified
 * against the KV key ring, grant checked in KV), as a connected client holds it. Prints one
 * JSON line ({@linkcode BenchServer}); runs until killed.
 */
import { createApp } from "../lib/app.ts";
import { LOCAL_SESSION_COOKIE } from "../lib/auth/local.ts";
import {
  createSession,
  findOrCreateLocalUser,
  normalizeEmail,
} from "../lib/auth/local_sessions.ts";
import { createIdentityProvider } from "../lib/identity_provider.ts";
import { parseConfig } from "../lib/config.ts";
import { grantKeys, type StoredGrant } from "../lib/oauth/store/grants.ts";
import { issueAccessToken } from "../lib/oauth/tokens.ts";
import { createTodo, MAX_TODOS, setListCacheBudget } from "../lib/todos/mod.ts";
import type { BenchServer } from "./targets.ts";

const [kvPath, count = "100", concurrency = "16", listCache] = Deno.args;
if (!kvPath) throw new Error("usage: serve.ts <kv path> [todo count] [concurrency] [list cache]");

const kv = await Deno.openKv(kvPath);
const config = parseConfig({});
const app = createApp({ config, kv, identity: await createIdentityProvider(config, kv) });
if (listCache !== undefined) setListCacheBudget(kv, Number(listCache));

/** A user with `n` todos and a session cookie. */
async function seedUser(name: string, n: number) {
  const user = await findOrCreateLocalUser(kv, normalizeEmail(`${name}@example.com`));
  for (let i = 0; i < n; i++) await createTodo(kv, user.id, `Benchmark todo number ${i + 1}`);
  return { user, cookie: `${LOCAL_SESSION_COOKIE}=${await createSession(kv, user)}` };
}

const reader = await seedUser("bench", Number(count));
// Each writer holds at most `concurrency` extra todos at once (create, then delete), so the
// largest list starts that far below the cap.
const writers: BenchServer["writers"] = {};
for (const size of [10, 100, 1000]) {
  const seeded = Math.min(size, MAX_TODOS - Number(concurrency));
  writers[size] = { cookie: (await seedUser(`writer${size}`, seeded)).cookie, seeded };
}

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
const origin = `http://127.0.0.1:${server.addr.port}`;
const resource = `${origin}/mcp`;
const now = Date.now();
const grant: StoredGrant = {
  grantId: crypto.randomUUID(),
  userId: reader.user.id,
  clientId: "bench-client",
  scopes: ["read:todos", "write:todos"],
  resource,
  refreshHash: "bench",
  createdAt: now,
  expiresAt: now + 24 * 3600_000,
};
await kv.set(grantKeys.grant(grant.userId, grant.clientId, grant.grantId), grant);
const token = await issueAccessToken(kv, {
  issuer: origin,
  userId: grant.userId,
  clientId: grant.clientId,
  scopes: grant.scopes,
  resource,
  grantId: grant.grantId,
}, { keyRotationMs: config.tokens.signingKeyRotationMs });

const info: BenchServer = {
  origin,
  token,
  cookie: reader.cookie,
  userId: reader.user.id,
  writers,
  sizes: await compressedSizes(),
};
console.log(JSON.stringify(info));

/** Bytes of each list-shaped answer as sent, plain and gzip'd (measured in-process). */
async function compressedSizes(): Promise<BenchServer["sizes"]> {
  const sizes: BenchServer["sizes"] = {};
  for (const path of ["/api/todos", "/todoapp"]) {
    for (const encoding of ["identity", "gzip"]) {
      const response = await app.fetch(
        new Request(`${origin}${path}`, {
          headers: { Cookie: reader.cookie, "Accept-Encoding": encoding },
        }),
      );
      const bytes = (await response.arrayBuffer()).byteLength;
      sizes[`${path} ${response.headers.get("Content-Encoding") ?? "identity"}`] = bytes;
    }
  }
  return sizes;
}
