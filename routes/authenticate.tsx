import StytchAuthenticate from "../islands/StytchAuthenticate.tsx";
import type { StytchBrowserConfig } from "../browser/stytch.ts";
import { withBrowserSignIn } from "./_browser_sign_in.ts";
import { NotFoundError } from "../lib/errors.ts";
import type { PageState } from "../lib/http/page_state.ts";
import { type Handlers, Head, type PageProps } from "../lib/pages/mod.ts";

/**
 * `/authenticate`: where Stytch sends the browser back after Google OAuth (Stytch mode only).
 * It never looks up the session: the island creates it.
 */
export const handler: Handlers<StytchBrowserConfig, PageState> = {
  GET(_req, ctx) {
    const { identity } = ctx.state.deps;
    const browser = identity.browserSignIn?.publicConfig;
    if (!browser) throw new NotFoundError("Sign-in redirects are only used with Stytch.");
    return ctx.render({ ...browser }, withBrowserSignIn(identity));
  },
};

export default function AuthenticatePage({ data }: PageProps<StytchBrowserConfig>) {
  return (
    <>
      <Head>
        <title>Signing in · Todos</title>
      </Head>
      <main class="card narrow">
        <h1>Signing in</h1>
        <StytchAuthenticate publicToken={data.publicToken} domain={data.domain} />
      </main>
    </>
  );
}
