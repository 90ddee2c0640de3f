import StytchConsent from "../islands/StytchConsent.tsx";
import type { PageState } from "../lib/pages/mod.ts";

/** Body of `/oauth/authorize` in Stytch mode: Stytch's consent UI for the signed-in person. */
export function StytchConsentPage({ state }: { state: PageState }) {
  const config = state.deps.identity.browserSignIn?.publicConfig;
  return (
    <main class="card narrow">
      <h1>Connect an app</h1>
      {config && (
        <StytchConsent
          {...config}
          readScope={state.deps.config.mcp.readScope}
          writeScope={state.deps.config.mcp.writeScope}
        />
      )}
    </main>
  );
}
