import type { PageState } from "../lib/http/page_state.ts";
import type { Handlers } from "../lib/pages/mod.ts";

/** Where sign-out leads: the sign-in page, which then says the person is signed out. */
export const SIGNED_OUT_URL = "/login?signedOut=1";

/**
 * `/logout`. It never looks up the session, so signing out works while the identity provider
 * is down. GET stays refused (a link or prefetch must not sign anyone out).
 */
export const handler: Handlers<undefined, PageState> = {
  GET: (_req, ctx) => ctx.hono.text("Method not allowed.", 405, { Allow: "POST" }),
  /**
   * Ends the session (a form post from the header's "Sign out" button), at the provider too
   * (Stytch: revoked from the server), clears its cookies, and goes to the sign-in page. Works
   * the same without JavaScript.
   */
  async POST(_req, ctx) {
    const { identity } = ctx.state.deps;
    await identity.signOut(ctx.hono, { secure: ctx.state.origin.startsWith("https:") });
    return ctx.redirect(SIGNED_OUT_URL, 303);
  },
};
