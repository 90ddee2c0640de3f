import StytchLogout from "../islands/StytchLogout.tsx";
import { Head, type PageProps } from "../lib/pages/mod.ts";

/** The page `POST /logout` answers in Stytch mode: its island revokes the session. */
export function StytchLogoutPage({ state }: PageProps<undefined>) {
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
