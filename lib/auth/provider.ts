import type { Config } from "../config.ts";
import type { IdentityProvider } from "./identity.ts";
import { createLocalIdentity } from "./local.ts";

/** Chooses the identity provider once, from the configuration. */
export function createIdentityProvider(config: Config, kv: Deno.Kv): IdentityProvider {
  if (config.stytch) throw new Error("Stytch mode is not built yet.");
  return createLocalIdentity({ kv });
}
