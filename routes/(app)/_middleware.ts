import { ServiceUnavailableError } from "../../lib/errors.ts";
import { parkFormForSignIn, parkFormPost, takeFormToResume } from "../../lib/http/parked_forms.ts";
import { loginUrl } from "../../lib/http/return_to.ts";
import type { SignedInState } from "../../lib/http/page_state.ts";
import type { FreshContext } from "../../lib/pages/mod.ts";

/**
 * The signed-in pages' guard: `ctx.state.user` for the pages below, or to `/login` and back
 * (303 after a form post, which is kept over sign-in: lib/http/parked_forms.ts). Back from
 * sign-in, a kept form is replayed once through the page's POST handler. Strict: 503 when the
 * identity provider cannot tell (a form post is kept then too, and "Try again" resumes it).
 */
export async function handler(req: Request, ctx: FreshContext<SignedInState>) {
  const user = await lookUpUser(req, ctx);
  if (!user) {
    if (req.method === "GET") return ctx.redirect(loginUrl(ctx.url), 302);
    return ctx.redirect(await parkFormForSignIn(ctx.hono, req, ctx.url), 303);
  }
  ctx.state.user = user;
  const resumed = await takeFormToResume(ctx.hono, req, ctx.url);
  if (resumed) {
    ctx.req = resumed;
    ctx.url = new URL(resumed.url);
  }
  return await ctx.next();
}

/** The signed-in user; a form post that meets an outage is parked for the "Try again" link. */
async function lookUpUser(req: Request, ctx: FreshContext<SignedInState>) {
  try {
    return await ctx.state.lookupUser();
  } catch (error) {
    if (!(error instanceof ServiceUnavailableError) || req.method !== "POST") throw error;
    const resume = await parkFormPost(ctx.hono, req, ctx.url).catch(() => null);
    if (!resume) throw error;
    throw new ServiceUnavailableError(error.message, error.retryAfterSeconds, resume);
  }
}
