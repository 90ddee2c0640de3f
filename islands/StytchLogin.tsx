import { useEffect, useRef, useState } from "preact/hooks";
import {
  describeStytchError,
  goTo,
  rememberReturnTo,
  SESSION_DURATION_MINUTES,
  type StytchBrowserConfig,
  stytchClient,
  stytchModule,
} from "../browser/stytch.ts";

export interface StytchLoginProps extends StytchBrowserConfig {
  /** Same-origin path to open after sign-in (already checked by the server). */
  returnTo: string;
}

const AUTO_RETURN_KEY = "todo.autoReturnAt";
/** An existing session sent back here again this soon means the server refused it. */
const LOOP_WINDOW_MS = 15_000;

/**
 * Stytch's login UI (email one-time passcode and Google OAuth). A person who already has a
 * Stytch session goes straight on to `returnTo`: the SDK refreshes the five-minute session
 * JWT on load, which is how an expired cookie is renewed without the SDK on every page.
 */
export default function StytchLogin({ publicToken, domain, returnTo }: StytchLoginProps) {
  const mount = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<"loading" | "ready" | "stuck">("loading");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let unsubscribe = () => {};
    let actedInUi = false;
    let leaving = false;
    rememberReturnTo(returnTo);

    const onSession = (signedIn: boolean) => {
      if (!signedIn || leaving) return;
      if (!actedInUi) {
        const last = Number(sessionStorage.getItem(AUTO_RETURN_KEY) ?? 0);
        if (Date.now() - last < LOOP_WINDOW_MS) return setState("stuck");
        sessionStorage.setItem(AUTO_RETURN_KEY, String(Date.now()));
      } else {
        sessionStorage.removeItem(AUTO_RETURN_KEY);
      }
      leaving = true;
      goTo(returnTo);
    };

    (async () => {
      const [sdk, client] = await Promise.all([
        stytchModule(),
        stytchClient({ publicToken, domain }),
      ]);
      unsubscribe = client.session.onChange((session) => onSession(session !== null));
      const { session, fromCache } = client.session.getInfo();
      if (session && !fromCache) onSession(true);

      if (!customElements.get("stytch-ui")) customElements.define("stytch-ui", sdk.StytchUI);
      const element = new sdk.StytchUI();
      mount.current?.replaceChildren(element);
      const redirectUrl = `${location.origin}/authenticate`;
      element.render({
        client,
        config: {
          products: [sdk.Products.otp, sdk.Products.oauth],
          otpOptions: { methods: ["email"], expirationMinutes: 10 },
          oauthOptions: {
            providers: [{ type: "google" }],
            loginRedirectURL: redirectUrl,
            signupRedirectURL: redirectUrl,
          },
          sessionOptions: { sessionDurationMinutes: SESSION_DURATION_MINUTES },
        },
        callbacks: {
          onEvent: () => {
            actedInUi = true;
          },
          onError: (err) => setError(describeStytchError(err)),
        },
      });
      setState("ready");
    })().catch((err) => setError(describeStytchError(err)));

    return () => unsubscribe();
  }, []);

  return (
    <div class="stytch-login">
      {state === "loading" && !error && <p class="hint">Loading sign-in…</p>}
      {state === "stuck" && (
        <div role="alert">
          <p>
            You are signed in with Stytch, but this server did not accept the session. Check the
            server's STYTCH_DOMAIN and STYTCH_PROJECT_ID, then sign out and in again.
          </p>
          <form method="post" action="/logout">
            <button type="submit">Sign out</button>
          </form>
        </div>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <div ref={mount} data-stytch="login" />
      <noscript>
        <p class="error">Signing in with Stytch needs JavaScript.</p>
      </noscript>
    </div>
  );
}
