import type { Config } from "./config.ts";
import type { IdentityProvider } from "./auth/identity.ts";
import { authorizationServerMetadata } from "./oauth/metadata.ts";
import { lazyImport } from "./lazy_import.ts";

/** The access-token verifier (and its signing keys) loads with the first MCP request. */
const localTokens = lazyImport(() => import("./oauth/tokens.ts"));
/** The verifier once loaded: a remembered token is then answered without waiting on a load. */
let tokens: Awaited<ReturnType<typeof localTokens>> | undefined;

/**
 * Chooses the identity provider once, from the configuration, and loads only the chosen
 * provider's modules.
 */
export async function createIdentityProvider(
  config: Config,
  kv: Deno.Kv,
): Promise<IdentityProvider> {
  if (config.stytch) return (await import("./auth/stytch.ts")).createStytchIdentity(config.stytch);
  const { createLocalIdentity } = await import("./auth/local.ts");
  return createLocalIdentity({
    kv,
    verifyAccessToken: (token, resource, along) => {
      const verify = (loaded: typeof tokens & object) =>
        loaded.verifyLocalAccessToken(kv, token, resource, Date.now(), along);
      return tokens ? verify(tokens) : localTokens().then((loaded) => verify(tokens = loaded));
    },
    isGrantLive: async (grant) => (await localTokens()).isLocalGrantLive(kv, grant),
    authorizationServerMetadata,
  });
}
