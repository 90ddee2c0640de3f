import type { Config } from "./config.ts";
import type { IdentityProvider } from "./auth/identity.ts";
import { createLocalIdentity } from "./auth/local.ts";
import { createStytchIdentity } from "./auth/stytch.ts";
import { authorizationServerMetadata } from "./oauth/metadata.ts";
import { lazyImport } from "./lazy_import.ts";

/** The access-token verifier (and its signing keys) loads with the first MCP request. */
const localTokens = lazyImport(() => import("./oauth/tokens.ts"));

/** Chooses the identity provider once, from the configuration. */
export function createIdentityProvider(config: Config, kv: Deno.Kv): IdentityProvider {
  if (config.stytch) return createStytchIdentity(config.stytch);
  return createLocalIdentity({
    kv,
    verifyAccessToken: async (token, resource, along) =>
      (await localTokens()).verifyLocalAccessToken(kv, token, resource, Date.now(), along),
    isGrantLive: async (grant) => (await localTokens()).isLocalGrantLive(kv, grant),
    authorizationServerMetadata,
  });
}
