import StytchLogout from "../islands/StytchLogout.tsx";
import { stytchBrowserConfig } from "../lib/auth/stytch_pages.ts";
import { Head, type PageProps } from "../lib/pages/mod.ts";

/** The page `POST /logout` answers in Stytch mode: its island revokes the session. */
export function StytchLogoutPage({ state }: PageProps<undefined>) {
  const config = stytchBrowserConfig(state.deps.identity);
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
