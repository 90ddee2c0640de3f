import { withBrowserSignIn } from "../../components/browser_sign_in.ts";
import { OAuthConsent } from "../../components/OAuthConsent.tsx";
import { StytchConsentPage } from "../../components/StytchConsentPage.tsx";
import { type ConsentData, localAuthorizeHandlers } from "../../lib/oauth/consent_page.ts";
import {
  authorizeParams,
  loginUrlForAuthorize,
  PARKED_REQUEST_PARAM,
  ParkedRequestError,
} from "../../lib/oauth/parked.ts";
import { NotFoundError, ValidationError } from "../../lib/errors.ts";
import { clientLimit } from "../../lib/http/rate_limit.ts";
import { type Handlers, Head, type PageProps, type RouteContext } from "../../lib/pages/mod.ts";

/**
 * `GET /oauth/authorize` when a provider's browser SDK runs consent (Stytch's Connected Apps
 * sends the browser here). A visitor who is not signed in goes to `/login` and comes back with
 * the whole query string (parked in KV when too long for `returnTo`); a signed-in person gets
 * the SDK's consent UI.
 */
async function browserConsent(ctx: RouteContext<ConsentData>): Promise<Response> {
  const { kv, identity } = ctx.state.deps;
  try {
    if (!ctx.state.user) {
      const limit = clientLimit(ctx.hono, "parking");
      return ctx.redirect(await loginUrlForAuthorize(kv, ctx.url, limit), 302);
    }
    if (ctx.url.searchParams.has(PARKED_REQUEST_PARAM)) {
      // The SDK's consent UI reads the request from the page's own URL: put it back there.
      const params = await authorizeParams(kv, ctx.url);
      return ctx.redirect(`${ctx.url.pathname}?${params}`, 302);
    }
  } catch (error) {
    if (error instanceof ParkedRequestError) throw new ValidationError(error.message);
    throw error;
  }
  return ctx.render(undefined, withBrowserSignIn(identity));
}

/** This app's own consent page when it is the authorization server; else the SDK's. */
function dispatch(method: "GET" | "POST") {
  return (ctx: RouteContext<ConsentData>) => {
    const { identity } = ctx.state.deps;
    if (identity.hostsAuthorizationServer) return localAuthorizeHandlers[method]!(ctx);
    if (method === "GET" && identity.browserSignIn) return browserConsent(ctx);
    throw new NotFoundError("This server has no built-in authorization page in Stytch mode.");
  };
}

/** `/oauth/authorize`. */
export const handler: Handlers<ConsentData> = { GET: dispatch("GET"), POST: dispatch("POST") };

/** The consent page (built-in server) or the provider's consent UI (browser sign-in). */
export default function AuthorizePage({ data, state }: PageProps<ConsentData>) {
  return (
    <>
      <Head>
        <title>Connect an app · Todos</title>
      </Head>
      {state.deps.identity.hostsAuthorizationServer
        ? <OAuthConsent data={data} />
        : <StytchConsentPage state={state} />}
    </>
  );
}
