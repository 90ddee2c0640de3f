import { useEffect, useState } from "preact/hooks";
import {
  describeStytchError,
  goTo,
  SESSION_DURATION_MINUTES,
  type StytchBrowserConfig,
  stytchClient,
  takeReturnTo,
} from "../browser/stytch.ts";

/**
 * Completes the OAuth redirect (`/authenticate?stytch_token_type=oauth&token=...`): exchanges
 * the token for a Stytch session, then goes to the remembered `returnTo` or `/todoapp`.
 */
export default function StytchAuthenticate({ publicToken, domain }: StytchBrowserConfig) {
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const params = new URLSearchParams(location.search);
    const token = params.get("token");
    const type = params.get("stytch_token_type");
    // The token is single-use; keep it out of the history and of any Referer.
    history.replaceState(null, "", location.pathname);
    (async () => {
      const client = await stytchClient({ publicToken, domain });
      if (!token || type !== "oauth") {
        if (client.session.getSync()) return goTo(takeReturnTo());
        return setError("This sign-in link is incomplete or has already been used.");
      }
      await client.oauth.authenticate(token, {
        session_duration_minutes: SESSION_DURATION_MINUTES,
      });
      goTo(takeReturnTo());
    })().catch((err) => setError(describeStytchError(err)));
  }, []);

  return (
    <div class="stytch-authenticate">
      {error
        ? (
          <>
            <p class="error" role="alert">{error}</p>
            <p>
              <a href="/login">Back to sign in</a>
            </p>
          </>
        )
        : <p class="hint">Signing you in…</p>}
      <noscript>
        <p class="error">Signing in with Stytch needs JavaScript.</p>
      </noscript>
    </div>
  );
}
