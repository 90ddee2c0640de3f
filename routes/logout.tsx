import { withBrowserSignIn } from "../components/browser_sign_in.ts";
import type { Handlers, RouteConfig } from "../lib/pages/mod.ts";
export { StytchLogoutPage as default } from "../components/StytchLogoutPage.tsx";

/** Signing out never needs to know who is signed in (it works while Stytch is down). */
export const config: RouteConfig = { user: "skip" };

export const handler: Handlers = {
  // The default export is only for the browser sign-out page; GET stays refused.
  GET: (ctx) => ctx.hono.text("Method not allowed.", 405, { Allow: "POST" }),
  /** Ends the session (a form post from the header's "Sign out" button) and goes to /login. */
  async POST(ctx) {
    const { identity } = ctx.state.deps;
    await identity.signOut(ctx.hono, { secure: ctx.state.origin.startsWith("https:") });
    // A session held by a browser SDK is revoked at the provider by the page's island.
    if (identity.browserSignIn) return ctx.render(undefined, withBrowserSignIn(identity));
    return ctx.redirect("/login");
  },
};
