import { withBrowserSignIn } from "../components/browser_sign_in.ts";
import StytchLogout from "../islands/StytchLogout.tsx";
import type { PageState } from "../lib/http/page_state.ts";
import { type Handlers, Head, type PageProps } from "../lib/pages/mod.ts";

/**
 * `/logout`. It never looks up the session, so signing out works while Stytch is down.
 * The page is only the browser sign-out's (GET stays refused).
 */
export const handler: Handlers<undefined, PageState> = {
  GET: (_req, ctx) => ctx.hono.text("Method not allowed.", 405, { Allow: "POST" }),
  /** Ends the session (a form post from the header's "Sign out" button) and goes to /login. */
  async POST(_req, ctx) {
    const { identity } = ctx.state.deps;
    await identity.signOut(ctx.hono, { secure: ctx.state.origin.startsWith("https:") });
    // A session held by a browser SDK is revoked at the provider by the page's island.
    if (identity.browserSignIn) return ctx.render(undefined, withBrowserSignIn(identity));
    return ctx.redirect("/login?signedOut=1");
  },
};

/** The page `POST /logout` answers with a browser sign-in SDK: its island revokes the session. */
export default function LogoutPage({ state }: PageProps<undefined, PageState>) {
  const config = state.deps.identity.browserSignIn?.publicConfig;
  return (
    <>
      <Head>
        <title>Signing out · Todos</title>
      </Head>
      <main class="card narrow">
        <h1>Signing out</h1>
        {config && <StytchLogout publicToken={config.publicToken} domain={config.domain} />}
      </main>
    </>
  );
}
