/**
 * Server of the writers benchmark (run as a subprocess by bench/writers.ts): the real app in
 * local mode over a file-backed KV at `Deno.args[0]`, served on loopback, with `Deno.args[1]`
 * users (16 by default) who each hold 100 todos. Prints one JSON line, `{origin, cookies}`
 * (one session cookie per user); runs until killed.
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
import { createTodo } from "../lib/todos/mod.ts";

const SEEDED_TODOS = 100;

const [kvPath, users = "16"] = Deno.args;
if (!kvPath) throw new Error("usage: writers_serve.ts <kv path> [users]");

const kv = await Deno.openKv(kvPath);
const config = parseConfig({});
const app = createApp({ config, kv, identity: await createIdentityProvider(config, kv) });

const cookies: string[] = [];
for (let u = 0; u < Number(users); u++) {
  const user = await findOrCreateLocalUser(kv, normalizeEmail(`writer${u}@example.com`));
  for (let i = 0; i < SEEDED_TODOS; i++) await createTodo(kv, user.id, `Seeded todo ${i + 1}`);
  cookies.push(`${LOCAL_SESSION_COOKIE}=${await createSession(kv, user)}`);
}

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
console.log(JSON.stringify({ origin: `http://127.0.0.1:${server.addr.port}`, cookies }));
