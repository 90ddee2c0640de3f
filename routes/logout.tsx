import type { LocalIdentity } from "../lib/auth/local.ts";
import type { Handlers } from "../lib/pages/mod.ts";

export const handler: Handlers = {
  /** Ends the session (a form post from the header's "Sign out" button) and goes to /login. */
  async POST(ctx) {
    const identity = ctx.state.deps.identity;
    if (identity.kind === "local") await (identity as LocalIdentity).signOut(ctx.hono);
    return ctx.redirect("/login");
  },
};
