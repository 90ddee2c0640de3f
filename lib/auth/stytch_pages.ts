/**
 * Server side of the Stytch pages (login, authenticate, consent, logout): the public values
 * their islands get and the Content-Security-Policy additions the Stytch SDK needs.
 */
import { deleteCookie } from "hono/cookie";
import { ValidationError } from "../errors.ts";
import { clientLimit } from "../http/rate_limit.ts";
import {
  authorizeParams,
  loginUrlForAuthorize,
  PARKED_REQUEST_PARAM,
  ParkedRequestError,
} from "../oauth/parked.ts";
import type { RenderInit, RouteContext } from "../pages/types.ts";
import type { IdentityProvider } from "./identity.ts";
import type { StytchBrowserConfig } from "../../components/stytch_browser.ts";
import { STYTCH_SESSION_COOKIE, type StytchIdentity } from "./stytch.ts";

/** The island props for Stytch mode, or `null` in local mode. Public values only. */
export function stytchBrowserConfig(identity: IdentityProvider): StytchBrowserConfig | null {
  return identity.kind === "stytch" ? { ...(identity as StytchIdentity).browserConfig } : null;
}

/**
 * The origin the browser SDK actually calls for `domain`: it always uses `https://<host>`,
 * whatever scheme or port `customBaseUrl` names.
 */
export function stytchSdkOrigin(domain: string): string {
  return `https://${new URL(domain).hostname}`;
}

/**
 * CSP additions for a page hosting a Stytch island: the SDK calls the project's domain
 * (`fetch`), and its web components inject `<style>` elements and style attributes, so
 * styles need 'unsafe-inline'. Scripts stay 'self' only: the SDK is bundled with the island,
 * never loaded from Stytch.
 */
export function stytchRenderInit(identity: IdentityProvider, init: RenderInit = {}): RenderInit {
  const config = stytchBrowserConfig(identity);
  if (!config) return init;
  const sdk = stytchSdkOrigin(config.domain);
  return {
    ...init,
    csp: {
      ...init.csp,
      "connect-src": [...(init.csp?.["connect-src"] ?? []), sdk],
      "style-src": [...(init.csp?.["style-src"] ?? []), "'unsafe-inline'"],
      "img-src": [...(init.csp?.["img-src"] ?? []), sdk],
    },
  };
}

/**
 * `GET /oauth/authorize` in Stytch mode: Connected Apps sends the browser here (the
 * dashboard's Authorization URL). A visitor who is not signed in goes to `/login` and comes
 * back with the whole query string (parked in KV when too long for `returnTo`); a signed-in
 * person gets Stytch's consent UI.
 */
export async function stytchAuthorize<T>(ctx: RouteContext<T>): Promise<Response> {
  const { kv } = ctx.state.deps;
  try {
    if (!ctx.state.user) {
      const limit = clientLimit(ctx.hono, "parking");
      return ctx.redirect(await loginUrlForAuthorize(kv, ctx.url, limit), 302);
    }
    if (ctx.url.searchParams.has(PARKED_REQUEST_PARAM)) {
      // Stytch's consent UI reads the request from the page's own URL: put it back there.
      const params = await authorizeParams(kv, ctx.url);
      return ctx.redirect(`${ctx.url.pathname}?${params}`, 302);
    }
  } catch (error) {
    if (error instanceof ParkedRequestError) throw new ValidationError(error.message);
    throw error;
  }
  return ctx.render(undefined, stytchRenderInit(ctx.state.deps.identity));
}

/**
 * `POST /logout` in Stytch mode: the session JWT cookie is expired at once, so this server
 * stops accepting it even without JavaScript; the page's island then revokes the session at
 * Stytch (the SDK needs the opaque session cookie for that, so it is left to the SDK).
 */
export function stytchSignOut<T>(ctx: RouteContext<T>): Response {
  deleteCookie(ctx.hono, STYTCH_SESSION_COOKIE, { path: "/" });
  return ctx.render(undefined, stytchRenderInit(ctx.state.deps.identity));
}
