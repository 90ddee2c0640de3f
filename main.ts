/** Production entry: configuration -> KV -> app -> Deno.serve. */
import { ConfigError, parseConfig, unreadVariables } from "./lib/config.ts";
import { misconfiguredHandler } from "./lib/config_page.ts";
import { createIdentityProvider } from "./lib/identity_provider.ts";
import { createApp } from "./lib/app.ts";
import { openStore, StoreStartError } from "./lib/kv/open.ts";
import { serveBehindFrontDoor } from "./lib/server/front_door.ts";
import { shutDownOnSignal } from "./lib/server/shutdown.ts";
import { streamSlotsFor } from "./lib/live/limits.ts";
import { hasPendingBulks } from "./lib/todos/pending_bulks.ts";

await loadEnvFile(".env");

const env = Deno.env.toObject();
for (const name of unreadVariables(env)) {
  console.warn(`${name} is set but this app does not read it (see the README's configuration).`);
}

let config;
try {
  config = parseConfig(env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  if (!env.DENO_DEPLOYMENT_ID) Deno.exit(1);
  // On Deno Deploy an exit only shows a generic platform error: say what is missing instead.
  await Deno.serve(misconfiguredHandler(error.problems)).finished;
  Deno.exit(1);
}

const kv = await openKv(config.kvPath);
if (await hasPendingBulks(kv)) {
  const { resumeDeletion, resumePendingBulks } = await import("./lib/todos/mod.ts");
  const resumed = await resumePendingBulks(kv, resumeDeletion);
  console.log(`Finished ${resumed} bulk change(s) a previous run left under way.`);
}
const identity = await createIdentityProvider(config, kv);
const app = createApp({ config, kv, identity });

try {
  const onListen = ({ hostname, port }: Deno.NetAddr) => {
    const loopbackOnly = hostname === "127.0.0.1" || hostname === "::1";
    const shown = loopbackOnly || hostname === "0.0.0.0" ? "localhost" : hostname;
    console.log(
      `Todo app (${identity.label} sign-in) on http://${shown}:${port}` +
        (config.publicUrl ? `, public at ${config.publicUrl.origin}` : "") +
        (loopbackOnly ? ` (listening on ${hostname} only; set HOSTNAME to change)` : ""),
    );
  };
  const handler = (req: Request, info: { remoteAddr: Deno.NetAddr }) =>
    app.fetch(req, { remoteAddr: info.remoteAddr });
  const { port, hostname } = config;
  // Deno Deploy terminates connections itself; elsewhere the front door bounds them.
  const slots = streamSlotsFor(kv, config.live);
  const endStreams = (retryMs: number) => slots.evictAll(retryMs);
  if (config.onDenoDeploy) {
    const server = Deno.serve({ port, hostname, onListen }, handler);
    const drain = () => server.shutdown();
    shutDownOnSignal({ stopAccepting() {}, endStreams, drain, closeAll: drain, kv });
  } else {
    const door = serveBehindFrontDoor(
      { port, hostname, heartbeatMs: config.live.heartbeatMs, onListen },
      handler,
    );
    shutDownOnSignal({
      stopAccepting: () => door.stopAccepting(),
      endStreams,
      drain: () => door.drain(),
      closeAll: () => door.closeAll(),
      kv,
    });
  }
} catch (error) {
  if (!(error instanceof Deno.errors.AddrInUse)) throw error;
  console.error(
    `Port ${config.port} is already in use: stop the other server, or start on another port ` +
      `(PORT=${config.port + 1} deno task start).`,
  );
  Deno.exit(1);
}

/**
 * Opens and checks the store at `path` (lib/kv/open.ts), or exits with one message naming
 * KV_PATH and what to do.
 */
async function openKv(path: string | undefined): Promise<Deno.Kv> {
  try {
    const { kv, tightened } = await openStore(path);
    if (tightened.length > 0) {
      console.log(`KV file was readable by others; now owner-only: ${tightened.join(", ")}`);
    }
    return kv;
  } catch (error) {
    if (!(error instanceof StoreStartError)) throw error;
    console.error(error.message);
    Deno.exit(1);
  }
}

/**
 * Loads `path` into the environment when it exists (a fresh clone has none and needs none,
 * so no warning); variables already set in the environment win, as with `--env-file`.
 */
async function loadEnvFile(path: string): Promise<void> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  const { parseEnv } = await import("node:util"); // only when there is a file to read
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (value !== undefined && Deno.env.get(name) === undefined) Deno.env.set(name, value);
  }
}
