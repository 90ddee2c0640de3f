import { useEffect, useRef, useState } from "preact/hooks";
import {
  describeStytchError,
  type StytchBrowserConfig,
  stytchClient,
  stytchModule,
} from "../browser/stytch.ts";
import { scopeWords } from "../lib/oauth/scope_words.ts";

/** The browser config of Stytch's SDK. */
export type StytchConsentProps = StytchBrowserConfig;

/** What each requested scope lets the client do, in words (the SDK renders them as text). */
export function describeScopes(scopes: string[]): string[] {
  return scopes.map((scope) => {
    const { access, effect } = scopeWords(scope);
    return `${access}: ${effect}`;
  });
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
          header:
            `${clientName} asks for access to your todos on ${location.host}. It will be able to:`,
          items: describeScopes(scopes),
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
