import { useEffect, useRef, useState } from "preact/hooks";
import {
  describeStytchError,
  type StytchBrowserConfig,
  stytchClient,
  stytchModule,
} from "../components/stytch_browser.ts";

export interface StytchConsentProps extends StytchBrowserConfig {
  /** The scopes this server's MCP tools check (MCP_READ_SCOPE, MCP_WRITE_SCOPE). */
  readScope: string;
  writeScope: string;
}

/** What each requested scope lets the client do, in words (the SDK renders them as text). */
export function describeScopes(scopes: string[], { readScope, writeScope }: StytchConsentProps) {
  const known: Record<string, string> = {
    openid: "Know who you are",
    profile: "See your name",
    email: "See your email address",
    phone: "See your phone number",
    offline_access: "Keep access while you are away",
    [readScope]: "See your todos",
    [writeScope]: "Add, change, complete and delete your todos",
  };
  return scopes.map((scope) => known[scope] ?? `Use the "${scope}" permission`);
}

/**
 * Stytch's Connected Apps consent screen (IdentityProvider UI). It reads the OAuth request
 * (client_id, redirect_uri, scope, state, PKCE challenge...) from this page's URL, asks the
 * signed-in person to allow or deny, and sends the browser back to the client.
 */
export default function StytchConsent(props: StytchConsentProps) {
  const { publicToken, domain } = props;
  const mount = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    (async () => {
      const [sdk, client] = await Promise.all([
        stytchModule(),
        stytchClient({ publicToken, domain }),
      ]);
      if (!customElements.get("stytch-idp")) {
        customElements.define("stytch-idp", sdk.StytchIdentityProvider);
      }
      const element = new sdk.StytchIdentityProvider();
      mount.current?.replaceChildren(element);
      element.render({
        client,
        getIDPConsentManifest: ({ scopes, clientName }) => [{
          header: `${clientName} is asking to:`,
          items: describeScopes(scopes, props),
        }],
        callbacks: { onError: (err) => setError(describeStytchError(err)) },
      });
      setReady(true);
    })().catch((err) => setError(describeStytchError(err)));
  }, []);

  return (
    <div class="stytch-consent">
      {!ready && !error && <p class="hint">Loading…</p>}
      {error && <p class="error" role="alert">{error}</p>}
      <div ref={mount} data-stytch="consent" />
      <noscript>
        <p class="error">Approving access needs JavaScript.</p>
      </noscript>
    </div>
  );
}
