/**
 * What every page's `ctx.state` holds (lib/pages' `FreshContext`): the request's context from
 * Hono's variables and a lazy look-up of who is signed in. The root `routes/_middleware.ts`
 * sets it; `routes/(app)/_middleware.ts` adds `user` for the pages that require one.
 */
import type { Context } from "hono";
import type { Session, User } from "../auth/identity.ts";
import { ServiceUnavailableError } from "../errors.ts";
import type { AppEnv, Deps } from "./context.ts";
import { retryPath } from "./return_to.ts";
import { lookUpSession } from "./session.ts";

/** State of every page. */
export interface PageState {
  deps: Deps;
  /** The app's canonical origin, e.g. `http://localhost:8000`. */
  origin: string;
  /**
   * Who is signed in, looked up on the first call (once per request): the user, or `null`.
   * A session renewed on the way sets its new cookies on this request's response. When the
   * identity provider cannot tell (Stytch unreachable) it throws `ServiceUnavailableError`
   * (503 naming where "Try again" goes: a page that guards data does not guess), unless
   * `lenient`, which answers `null` then (a page that works for anyone, like `/login`).
   * A page that never calls it never makes the provider fetch anything (`/logout`).
   */
  lookupUser(options?: { lenient?: boolean }): Promise<User | null>;
}

/** State of the signed-in pages (`routes/(app)/`): their middleware requires a user. */
export interface SignedInState extends PageState {
  user: User;
}

/** The page state of the request `c`. */
export function pageState(c: Context<AppEnv>): PageState {
  const deps = c.get("deps");
  let lookup: Promise<Session> | undefined;
  return {
    deps,
    origin: c.get("origin"),
    async lookupUser({ lenient = false } = {}) {
      lookup ??= lookUpSession(c);
      try {
        const { user } = await lookup;
        if (user) c.set("user", user);
        return user;
      } catch (error) {
        if (!(error instanceof ServiceUnavailableError)) throw error;
        if (lenient) return null;
        throw new ServiceUnavailableError(
          error.message,
          error.retryAfterSeconds,
          retryPath(c.req.raw, c.get("origin")),
        );
      }
    },
  };
}
