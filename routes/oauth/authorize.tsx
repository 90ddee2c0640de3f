import { OAuthConsent } from "../../components/OAuthConsent.tsx";
import { StytchConsentPage } from "../../components/StytchConsentPage.tsx";
import { stytchAuthorize } from "../../lib/auth/stytch_pages.ts";
import { type ConsentData, localAuthorizeHandlers } from "../../lib/oauth/consent_page.ts";
import { NotFoundError } from "../../lib/errors.ts";
import { type Handlers, Head, type PageProps, type RouteContext } from "../../lib/pages/mod.ts";

/** Dispatches by identity mode: local mode is the built-in server's consent page. */
function dispatch(method: "GET" | "POST") {
  return (ctx: RouteContext<ConsentData>) => {
    if (ctx.state.deps.identity.kind === "local") return localAuthorizeHandlers[method]!(ctx);
    if (method === "GET") return stytchAuthorize(ctx);
    throw new NotFoundError("This server has no built-in authorization page in Stytch mode.");
  };
}

/** `/oauth/authorize`. */
export const handler: Handlers<ConsentData> = { GET: dispatch("GET"), POST: dispatch("POST") };

/** The consent page (local mode) or Stytch's consent UI (Stytch mode). */
export default function AuthorizePage({ data, state }: PageProps<ConsentData>) {
  return (
    <>
      <Head>
        <title>Connect an app · Todos</title>
      </Head>
      {state.deps.identity.kind === "stytch"
        ? <StytchConsentPage state={state} />
        : <OAuthConsent data={data} />}
    </>
  );
}
