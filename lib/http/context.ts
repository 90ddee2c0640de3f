import type { Config } from "../config.ts";
import type { IdentityProvider, User } from "../auth/identity.ts";

/** Long-lived services, built once at start-up and shared by every request. */
export interface Deps {
  config: Config;
  kv: Deno.Kv;
  identity: IdentityProvider;
}

/** Hono environment: per-request state, typed once, set by middleware, read by handlers. */
export interface AppEnv {
  Variables: {
    deps: Deps;
    /** Random id for this request, echoed in `X-Request-Id` and in server logs. */
    requestId: string;
    /** The app's canonical origin: `PUBLIC_URL`, else the request's own origin. */
    origin: string;
    /** The signed-in user, set by `requireUser` (or by the page layer when signed in). */
    user: User;
  };
}
