import type { Config } from "./config.ts";
import type { IdentityProvider } from "./auth/identity.ts";
import { createLocalIdentity } from "./auth/local.ts";
import { createStytchIdentity } from "./auth/stytch.ts";
import { authorizationServerMetadata } from "./oauth/metadata.ts";
import { isLocalGrantLive, verifyLocalAccessToken } from "./oauth/tokens.ts";

/** Chooses the identity provider once, from the configuration. */
export function createIdentityProvider(config: Config, kv: Deno.Kv): IdentityProvider {
  if (config.stytch) return createStytchIdentity(config.stytch);
  return createLocalIdentity({
    kv,
    verifyAccessToken: (token, resource) => verifyLocalAccessToken(kv, token, resource),
    isGrantLive: (grant) => isLocalGrantLive(kv, grant),
    authorizationServerMetadata: (origin) => authorizationServerMetadata(origin, config.mcp),
  });
}
