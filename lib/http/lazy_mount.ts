/**
 * Mounts a sub-app that is imported and built on its first request, so start-up loads none of
 * its modules (an SDK, a bundle). The sub-app sees the root middlewares' `c.var` and `c.env`;
 * paths it does not answer go on to the routes mounted after it, as with `app.route`.
 */
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";

/** What the forwarding handler passes to the sub-app beside the connection's own bindings. */
interface Forwarded {
  parentVars: AppEnv["Variables"];
  unanswered: boolean;
}

/**
 * Mounts `load()`'s app at `prefix` as `app.route(prefix, sub)` would, built on the first
 * request under `prefix` (concurrent first requests share one build; a failed build is tried
 * again on the next request).
 */
export function routeLazily(
  app: Hono<AppEnv>,
  prefix: string,
  load: () => Promise<Hono<AppEnv>>,
): void {
  let built: Promise<Hono<AppEnv>> | undefined;
  const build = () =>
    built ??= load().then((sub) => mountedAt(prefix, sub), (error) => {
      built = undefined;
      throw error;
    });
  // `prefix/*` also matches `prefix` itself.
  app.all(`${prefix}/*`, async (c, next) => {
    const mounted = await build();
    const forwarded: Forwarded = { parentVars: c.var, unanswered: false };
    const response = await mounted.fetch(c.req.raw, { ...c.env, forwarded });
    if (!forwarded.unanswered) return response;
    await response.body?.cancel();
    await next();
  });
}

/**
 * `sub` mounted at `prefix` in an app of its own that takes the root's variables first, passes
 * what `sub` throws without an error handler of its own back to the root (its `onError`), and
 * marks paths `sub` does not answer.
 */
function mountedAt(prefix: string, sub: Hono<AppEnv>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    const { parentVars } = forwardedOf(c.env);
    for (const [name, value] of Object.entries(parentVars)) {
      c.set(name as keyof AppEnv["Variables"], value);
    }
    await next();
  });
  app.onError((error) => {
    throw error;
  });
  app.notFound((c) => {
    forwardedOf(c.env).unanswered = true;
    return new Response(null, { status: 404 });
  });
  app.route(prefix, sub);
  return app;
}

function forwardedOf(env: AppEnv["Bindings"]): Forwarded {
  return (env as { forwarded: Forwarded }).forwarded;
}
