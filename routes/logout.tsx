import type { LocalIdentity } from "../lib/auth/local.ts";
import { stytchSignOut } from "../lib/auth/stytch_pages.ts";
import type { Handlers, RouteConfig } from "../lib/pages/mod.ts";
export { StytchLogoutPage as default } from "../components/StytchLogoutPage.tsx";

/** Signing out never needs to know who is signed in (it works while Stytch is down). */
export const config: RouteConfig = { user: "skip" };

export const handler: Handlers = {
  // The default export is only for Stytch mode's POST answer; GET stays refused.
  GET: (ctx) => ctx.hono.text("Method not allowed.", 405, { Allow: "POST" }),
  /** Ends the session (a form post from the header's "Sign out" button) and goes to /login. */
  async POST(ctx) {
    const identity = ctx.state.deps.identity;
    if (identity.kind === "local") await (identity as LocalIdentity).signOut(ctx.hono);
    // Stytch's session lives in the browser SDK: a page whose island revokes it, then /login.
    if (identity.kind === "stytch") return stytchSignOut(ctx);
    return ctx.redirect("/login");
  },
};
