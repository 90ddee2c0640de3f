import { useEffect, useState } from "preact/hooks";
import type { StytchClient } from "@stytch/vanilla-js";
import { goTo, type StytchBrowserConfig, stytchClient } from "../components/stytch_browser.ts";

/**
 * Resolves once the SDK's start-up refresh of the session has answered (3 s at most). It only
 * runs when the opaque session cookie exists; without one there is nothing to wait for.
 */
function settled(client: StytchClient): Promise<void> {
  if (!/(?:^|;\s*)stytch_session=/.test(document.cookie)) return Promise.resolve();
  return new Promise((resolve) => {
    const unsubscribe = client.session.onChange(() => done());
    const timer = setTimeout(() => done(), 3000);
    function done() {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}

/**
 * Revokes the Stytch session (which also clears its cookies), then goes to `/login`. If
 * Stytch cannot be reached, the local session is cleared anyway (`forceClear`).
 */
export default function StytchLogout({ publicToken, domain }: StytchBrowserConfig) {
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    (async () => {
      const client = await stytchClient({ publicToken, domain });
      // The SDK refreshes the session on load; revoking before that settles could let the
      // refresh store a fresh session cookie after the revocation cleared it.
      await settled(client);
      try {
        await client.session.revoke({ forceClear: true });
      } catch {
        // No session, or Stytch unreachable: the SDK has cleared this browser's session anyway.
      }
      goTo("/login");
    })().catch(() => setFailed(true));
  }, []);

  return (
    <div class="stytch-logout">
      {failed
        ? (
          <p class="error" role="alert">
            Could not reach Stytch to end the session; it was cleared from this browser.{" "}
            <a href="/login">Continue</a>
          </p>
        )
        : <p class="hint">Signing you out…</p>}
      <noscript>
        <p class="error">Signing out of Stytch needs JavaScript.</p>
      </noscript>
    </div>
  );
}
