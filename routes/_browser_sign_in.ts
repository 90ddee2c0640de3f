/** What a page hosting a provider's browser sign-in SDK (Stytch's UI) adds to its response. */
import type { IdentityProvider } from "../lib/auth/identity.ts";
import type { RenderOptions } from "../lib/pages/mod.ts";

/**
 * `init` plus the CSP sources the SDK needs when the provider signs people in from the browser:
 * it calls its own origin (`connect-src`, `img-src`), and its web components inject `<style>`
 * elements and style attributes, so styles need 'unsafe-inline'. Scripts stay 'self' only: the
 * SDK is bundled with the island, never loaded from the provider. Unchanged otherwise.
 */
export function withBrowserSignIn(
  identity: IdentityProvider,
  init: RenderOptions = {},
): RenderOptions {
  const sdk = identity.browserSignIn?.sdkOrigin;
  if (!sdk) return init;
  return {
    ...init,
    csp: {
      ...init.csp,
      "connect-src": [...(init.csp?.["connect-src"] ?? []), sdk],
      "style-src": [...(init.csp?.["style-src"] ?? []), "'unsafe-inline'"],
      "img-src": [...(init.csp?.["img-src"] ?? []), sdk],
    },
  };
}
