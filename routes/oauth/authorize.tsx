import { withBrowserSignIn } from "../_browser_sign_in.ts";
import { OAuthConsent } from "../../components/OAuthConsent.tsx";
import { TopBar } from "../../components/TopBar.tsx";
import StytchConsent from "../../islands/StytchConsent.tsx";
import type { ConsentData } from "../../lib/oauth/consent_page.ts";
import { lazyImport } from "../../lib/lazy_import.ts";
import { NotFoundError, ValidationError } from "../../lib/errors.ts";
import { clientLimit } from "../../lib/http/rate_limit.ts";
import type { PageState } from "../../lib/http/page_state.ts";
import {
  type FreshContext,
  type Handler,
  type Handlers,
  Head,
  type PageProps,
} from "../../lib/pages/mod.ts";

type Context = FreshContext<PageState, ConsentData>;

// The OAuth server's modules load with the first authorization request, not at start-up.
const consentPage = lazyImport(() => import("../../lib/oauth/consent_page.ts"));
const parked = lazyImport(() => import("../../lib/oauth/parked.ts"));

/**
 * `GET /oauth/authorize` when a provider's browser SDK runs consent (Stytch's Connected Apps
 * sends the browser here). A visitor who is not signed in goes to `/login` and comes back with
 * the whole query string (parked in KV when too long for `returnTo`); a signed-in person gets
 * the SDK's consent UI.
 */
async function browserConsent(ctx: Context): Promise<Response> {
  const { kv, identity } = ctx.state.deps;
  const { authorizeParams, loginUrlForAuthorize, PARKED_REQUEST_PARAM, ParkedRequestError } =
    await parked();
  try {
    if (!await ctx.state.lookupUser()) {
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

/**
 * `/oauth/authorize` (GET and POST): this app's own consent page when it is the authorization
 * server; else the SDK's. Strict: 503 when the session cannot be checked.
 */
const authorize: Handler<ConsentData, PageState> = async (req, ctx: Context) => {
  await ctx.state.lookupUser(); // strict, before anything else (the handlers reuse the answer)
  const { identity } = ctx.state.deps;
  const method = req.method === "POST" ? "POST" : "GET";
  if (identity.hostsAuthorizationServer) {
    return await (await consentPage()).localAuthorizeHandlers[method]!(req, ctx);
  }
  if (method === "GET" && identity.browserSignIn) return await browserConsent(ctx);
  throw new NotFoundError("This server has no built-in authorization page in Stytch mode.");
};

export const handler: Handlers<ConsentData, PageState> = { GET: authorize, POST: authorize };

/** The consent page (built-in server) or the provider's consent UI (browser sign-in). */
export default function AuthorizePage({ data, state }: PageProps<ConsentData, PageState>) {
  const browser = state.deps.identity.browserSignIn?.publicConfig;
  return (
    <>
      <Head>
        <title>Connect an app · Todos</title>
      </Head>
      <TopBar home="/todoapp" />
      {state.deps.identity.hostsAuthorizationServer
        ? <OAuthConsent data={data} />
        : (
          <main class="card narrow" id="main">
            <h1>Connect an app</h1>
            {browser && <StytchConsent {...browser} />}
          </main>
        )}
    </>
  );
}
