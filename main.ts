/** Production entry: configuration -> KV -> app -> Deno.serve. */
import { ConfigError, parseConfig } from "./lib/config.ts";
import { misconfiguredHandler } from "./lib/config_page.ts";
import { createIdentityProvider } from "./lib/auth/provider.ts";
import { createApp } from "./lib/app.ts";

let config;
try {
  config = parseConfig(Deno.env.toObject());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  if (!Deno.env.get("DENO_DEPLOYMENT_ID")) Deno.exit(1);
  // On Deno Deploy an exit only shows a generic platform error: say what is missing instead.
  await Deno.serve(misconfiguredHandler(error.problems)).finished;
  Deno.exit(1);
}

const kv = await openKv(config.kvPath);
const identity = createIdentityProvider(config, kv);
const app = createApp({ config, kv, identity });

Deno.serve({
  port: config.port,
  onListen: ({ hostname, port }) => {
    const shown = hostname === "0.0.0.0" ? "localhost" : hostname;
    console.log(
      `Todo app (${identity.kind} sign-in) on http://${shown}:${port}` +
        (config.publicUrl ? `, public at ${config.publicUrl.origin}` : ""),
    );
  },
}, app.fetch);

/** Opens Deno KV at `path` (creating a local file's folder), or exits naming what to change. */
async function openKv(path: string | undefined): Promise<Deno.Kv> {
  try {
    if (path && !path.includes("://") && path !== ":memory:") {
      await Deno.mkdir(new URL(".", new URL(path, `file://${Deno.cwd()}/`)), { recursive: true });
    }
    return await Deno.openKv(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) throw error;
    console.error(
      `Cannot open KV_PATH=${path}: \`deno task start\` may write only ./data. Put the file ` +
        "under ./data, or run main.ts yourself with --allow-write for its folder.",
    );
    Deno.exit(1);
  }
}
