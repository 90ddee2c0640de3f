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

if (config.kvPath && !config.kvPath.includes("://") && config.kvPath !== ":memory:") {
  await Deno.mkdir(new URL(".", new URL(config.kvPath, `file://${Deno.cwd()}/`)), {
    recursive: true,
  });
}
const kv = await Deno.openKv(config.kvPath);
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
