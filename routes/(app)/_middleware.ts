import { loginUrl } from "../../lib/http/return_to.ts";
import type { SignedInState } from "../../lib/http/page_state.ts";
import type { FreshContext } from "../../lib/pages/mod.ts";

/**
 * The signed-in pages' guard: `ctx.state.user` for the pages below, or to `/login` and back
 * (303 after a form post). Strict: 503 when the identity provider cannot tell.
 */
export async function handler(req: Request, ctx: FreshContext<SignedInState>) {
  const user = await ctx.state.lookupUser();
  if (!user) return ctx.redirect(loginUrl(ctx.url), req.method === "GET" ? 302 : 303);
  ctx.state.user = user;
  return await ctx.next();
}
