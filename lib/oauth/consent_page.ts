/**
 * `/oauth/authorize` in local mode: the checks in the order RFC 6749 §4.1.2.1 demands, then
 * sign-in, remembered consent, or the consent form (CSRF token, no framing). The route file
 * `routes/oauth/authorize.tsx` dispatches here; the view is `components/OAuthConsent.tsx`.
 */
import { WriteConflictError } from "../errors.ts";
import { clientIp, clientNetwork } from "../http/client_ip.ts";
import { clientLimit, enforceRateLimit } from "../http/rate_limit.ts";
import type { PageState } from "../http/page_state.ts";
import type { FreshContext, Handlers } from "../pages/mod.ts";
import {
  approve,
  type AuthorizeEnv,
  deny,
  errorRedirect,
  finishConsentForm,
  isRemembered,
  parseAuthorizationRequest,
  startConsentForm,
  verifyClientAndRedirect,
} from "./authorize.ts";
import { MetadataDocumentError, withBeforeFetch } from "./client_id_documents.ts";
import { findClient } from "./client_lookup.ts";
import { AuthorizePageError, OAuthError } from "./errors.ts";
import { authorizeParams, loginUrlForAuthorize, ParkedRequestError } from "./parked.ts";
import { supportedScopes } from "./scopes.ts";
import { type ScopeWords, scopeWords } from "./scope_words.ts";

/** What the consent page shows: the form, or why the request cannot go on. */
export type ConsentData =
  | {
    kind: "consent";
    clientName: string;
    /** Set for metadata-document clients: the host vouching for the name. */
    clientHost: string | null;
    redirectHost: string;
    /** Each scope asked for, with what it lets the app do. */
    scopes: ({ name: string } & ScopeWords)[];
    /** The host of this service, which the app asks to use. */
    serviceHost: string;
    csrfToken: string;
    email: string | null;
  }
  | { kind: "error"; message: string };

/** GET shows the consent form (or redirects); POST takes the person's decision. */
export const localAuthorizeHandlers: Handlers<ConsentData, PageState> = {
  async GET(_req, ctx) {
    const env = envOf(ctx);
    let params, target;
    try {
      params = await authorizeParams(env.kv, ctx.url);
      target = await verifyClientAndRedirect(env, params);
    } catch (error) {
      if (error instanceof AuthorizePageError || error instanceof ParkedRequestError) {
        return showError(ctx, error.message, 400);
      }
      throw error;
    }
    const prompt = params.get("prompt");
    try {
      const request = parseAuthorizationRequest(env, params, target);
      const user = await ctx.state.lookupUser();
      if (!user) {
        if (prompt === "none") throw new OAuthError("login_required", "Sign-in is required.");
        try {
          const limit = clientLimit(ctx.hono, "parking");
          return ctx.redirect(await loginUrlForAuthorize(env.kv, ctx.url, limit), 302);
        } catch (error) {
          if (error instanceof ParkedRequestError) return showError(ctx, error.message, 400);
          throw error;
        }
      }
      if (prompt !== "consent" && prompt !== "login" && await isRemembered(env, user.id, request)) {
        return ctx.redirect(await approve(env, user.id, target.client, request), 302);
      }
      if (prompt === "none") throw new OAuthError("consent_required", "Consent is required.");
      const address = clientNetwork(clientIp(ctx.hono));
      const csrfToken = await startConsentForm(env, user.id, request, address);
      const redirect = new URL(request.redirectUri);
      return ctx.render({
        kind: "consent",
        clientName: target.client.clientName || "An unnamed app",
        clientHost: target.client.source === "metadata_document"
          ? new URL(target.client.clientId).host
          : null,
        redirectHost: redirect.host,
        scopes: request.scopes.map((name) => ({ name, ...scopeWords(name) })),
        serviceHost: new URL(ctx.state.origin).host,
        csrfToken,
        email: user.email,
      }, {
        // Chrome applies form-action to the redirect after the form posts.
        csp: { "form-action": [redirect.origin] },
        headers: { "Cache-Control": "no-store" },
      });
    } catch (error) {
      // The redirect URI is verified: refusals and lost write races go back to the client.
      if (error instanceof OAuthError || error instanceof WriteConflictError) {
        return ctx.redirect(errorRedirect(target, error, ctx.state.origin), 302);
      }
      throw error;
    }
  },

  async POST(req, ctx) {
    const user = await ctx.state.lookupUser();
    if (!user) {
      return showError(ctx, "You are signed out. Start connecting again from the app.", 401);
    }
    const form = await req.formData().catch(() => null);
    const decision = form?.get("decision");
    if (decision !== "allow" && decision !== "deny") {
      return showError(ctx, "Choose Allow or Deny.", 400);
    }
    const env = envOf(ctx);
    const request = await finishConsentForm(env, user.id, form?.get("csrf_token"));
    if (!request) {
      return showError(
        ctx,
        "This consent form has expired or was already used. Start connecting again from the app.",
        400,
      );
    }
    if (decision === "deny") return ctx.redirect(deny(request, ctx.state.origin), 303);
    let client;
    try {
      client = await findClient(env.kv, request.clientId, supportedScopes(), env.fetcher);
    } catch (error) {
      if (!(error instanceof MetadataDocumentError)) throw error;
    }
    if (!client) {
      return showError(ctx, "This app's registration has expired. Ask it to connect again.", 400);
    }
    try {
      return ctx.redirect(await approve(env, user.id, client, request), 303);
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
      return ctx.redirect(errorRedirect(request, error, ctx.state.origin), 303);
    }
  },
};

function envOf(ctx: FreshContext<PageState, ConsentData>): AuthorizeEnv {
  return {
    kv: ctx.state.deps.kv,
    origin: ctx.state.origin,
    fetcher: withBeforeFetch(
      ctx.state.deps.documentFetcher,
      () => enforceRateLimit(ctx.state.deps.kv, clientLimit(ctx.hono, "registration")),
    ),
  };
}

function showError(
  ctx: FreshContext<PageState, ConsentData>,
  message: string,
  status: number,
): Response {
  return ctx.render({ kind: "error", message }, {
    status,
    headers: { "Cache-Control": "no-store" },
  });
}
