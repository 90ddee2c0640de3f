import { ContinueAfterSignIn, LocalLogin } from "../components/LocalLogin.tsx";
import StytchLogin from "../islands/StytchLogin.tsx";
import { TopBar } from "../components/TopBar.tsx";
import { withBrowserSignIn } from "./_browser_sign_in.ts";
import { NotFoundError, ValidationError } from "../lib/errors.ts";
import { clientLimit, enforceRateLimit } from "../lib/http/rate_limit.ts";
import type { PageState } from "../lib/http/page_state.ts";
import { type Handlers, Head, type PageProps } from "../lib/pages/mod.ts";
import { safeReturnTo } from "../lib/http/return_to.ts";

interface Data {
  returnTo: string;
  email: string;
  error: string | null;
  /** Set after a successful sign-in: the page then only continues to `returnTo`. */
  signedIn?: boolean;
  /** Arrived here by signing out (`?signedOut=1`): the page says it worked. */
  signedOut?: boolean;
}

export const handler: Handlers<Data, PageState> = {
  async GET(_req, ctx) {
    const returnTo = safeReturnTo(ctx.url.searchParams.get("returnTo"));
    // Lenient: signing in keeps working when the session cannot be checked (Stytch's keys down).
    if (await ctx.state.lookupUser({ lenient: true })) return ctx.redirect(returnTo, 302);
    const signedOut = ctx.url.searchParams.get("signedOut") === "1";
    return ctx.render(
      { returnTo, email: "", error: null, signedOut },
      withBrowserSignIn(ctx.state.deps.identity),
    );
  },
  async POST(req, ctx) {
    const form = ctx.state.deps.identity.formSignIn;
    if (!form) throw new NotFoundError("This server signs people in with Stytch, not a form.");
    // Every attempt counts, before anything is read: each sign-in may store a user and a session.
    await enforceRateLimit(ctx.state.deps.kv, clientLimit(ctx.hono, "signIn"));
    const body = await req.formData().catch(() => {
      throw new ValidationError("Send the sign-in form as form data.");
    });
    const returnTo = safeReturnTo(body.get("returnTo"));
    const email = body.get("email");
    try {
      await form.signIn(ctx.hono, email, { secure: ctx.state.origin.startsWith("https:") });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const shown = typeof email === "string" ? email.slice(0, 254) : "";
      return ctx.render({ returnTo, email: shown, error: error.message }, { status: 400 });
    }
    // Not a redirect: Chrome applies this page's `form-action 'self'` to every redirect after
    // the post, and `returnTo` may redirect on to another origin (an OAuth client's callback
    // when consent is remembered). A page that continues by GET leaves the form behind, so
    // form-action stays 'self' with no exception for any client.
    return ctx.render({ returnTo, email: "", error: null, signedIn: true }, {
      headers: { "Cache-Control": "no-store" },
    });
  },
};

export default function LoginPage({ data, state }: PageProps<Data, PageState>) {
  if (data.signedIn) return <ContinueAfterSignIn returnTo={data.returnTo} />;
  const { formSignIn, browserSignIn } = state.deps.identity;
  return (
    <>
      <Head>
        <title>Sign in · Todos</title>
      </Head>
      <TopBar home="/" />
      <main class="card narrow" id="main">
        <div class="status-line" role="status">
          {data.signedOut && <p class="notice">You are signed out.</p>}
        </div>
        <h1>Sign in</h1>
        {formSignIn && (
          <LocalLogin
            returnTo={data.returnTo}
            email={data.email}
            error={data.error}
          />
        )}
        {browserSignIn && <StytchLogin {...browserSignIn.publicConfig} returnTo={data.returnTo} />}
      </main>
    </>
  );
}
