/**
 * The one way a request asks who is signed in: the identity provider's session (possibly
 * renewed on this very request), with any cookies it must set put on this request's response.
 * `requireUser` (`/api`), the pages' `lookupUser` and the events stream all use it.
 */
import type { Context } from "hono";
import type { Session } from "../auth/identity.ts";
import type { AppEnv } from "./context.ts";

/** The session of the request `c`; its `setCookies` are added to `c`'s response. */
export async function lookUpSession(c: Context<AppEnv>): Promise<Session> {
  const { identity } = c.var.deps;
  const session = await identity.getSession(c.req.raw, {
    secure: c.var.origin.startsWith("https:"),
  });
  for (const value of session.setCookies) c.header("Set-Cookie", value, { append: true });
  return session;
}
