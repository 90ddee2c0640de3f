import type { FreshContext } from "../lib/pages/mod.ts";
import { type PageState, pageState } from "../lib/http/page_state.ts";

/**
 * Runs before every page: `ctx.state` gets the request's context and a lazy `lookupUser()`,
 * so only pages that ask for the user make the identity provider check the session.
 */
export async function handler(_req: Request, ctx: FreshContext<PageState>) {
  Object.assign(ctx.state, pageState(ctx.hono));
  return await ctx.next();
}
