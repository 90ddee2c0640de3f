import { AppHeader } from "../components/AppHeader.tsx";
import { ConnectedApps, type ConnectionsStatus } from "../components/ConnectedApps.tsx";
import { NotFoundError, ValidationError } from "../lib/errors.ts";
import { getRevocation, revokeConsentUndoably, undoRevocation } from "../lib/oauth/revocations.ts";
import { listConsents, type StoredConsent } from "../lib/oauth/store/consents.ts";
import { type Handlers, Head, type PageProps, type PageState } from "../lib/pages/mod.ts";
import { loginUrl } from "../lib/http/return_to.ts";

interface Data {
  consents: StoredConsent[];
  /** Set right after an action (the page says so, without echoing anything from the URL). */
  status: ConnectionsStatus;
}

/** The current time (the deps' clock in tests). */
const nowOf = (state: PageState) => state.deps.clock?.() ?? Date.now();

const REVOKED = "Access revoked: that app's tokens no longer work.";

/**
 * The status line for `?revoked=1&undo=<token>` (Undo offered while the revocation can be
 * undone), `?revoked=final` (too many grants to keep for Undo) and `?restored=1`.
 */
async function statusOf(kv: Deno.Kv, userId: string, query: URLSearchParams, now: number) {
  const none: ConnectionsStatus = { message: null, undoToken: null };
  if (query.get("restored") === "1") {
    return { ...none, message: "Access restored: that app's tokens work again." };
  }
  const revoked = query.get("revoked");
  if (revoked === "final") {
    return {
      ...none,
      message: `${REVOKED} Undo is not offered: that app had too many sign-ins to keep.`,
    };
  }
  if (revoked !== "1") return none;
  const token = query.get("undo");
  const revocation = token ? await getRevocation(kv, userId, token, now) : null;
  if (!revocation) return { ...none, message: REVOKED };
  const name = revocation.consent.clientName || "an unnamed app";
  return { message: `Access revoked for ${name}: its tokens no longer work.`, undoToken: token };
}

/** Connected apps live in the app's own authorization server (built-in sign-in only). */
function requireOwnAuthorizationServer(state: PageState): void {
  if (!state.deps.identity.hostsAuthorizationServer) {
    throw new NotFoundError("Connected apps are managed in your Stytch account in this mode.");
  }
}

/**
 * `/connections`: the apps the signed-in person approved, each with a Revoke button; a
 * revocation can be undone from the status line for a while (lib/oauth/revocations.ts).
 */
export const handler: Handlers<Data> = {
  async GET(ctx) {
    requireOwnAuthorizationServer(ctx.state);
    const user = ctx.state.user;
    if (!user) return ctx.redirect(loginUrl(ctx.url), 302);
    const kv = ctx.state.deps.kv;
    return ctx.render({
      consents: await listConsents(kv, user.id),
      status: await statusOf(kv, user.id, ctx.url.searchParams, nowOf(ctx.state)),
    }, { headers: { "Cache-Control": "no-store" } });
  },
  async POST(ctx) {
    requireOwnAuthorizationServer(ctx.state);
    const user = ctx.state.user;
    if (!user) return ctx.redirect(loginUrl(ctx.url));
    const form = await ctx.req.formData().catch(() => null);
    const kv = ctx.state.deps.kv;
    if (form?.get("action") === "undo") {
      await undoRevocation(kv, user.id, form.get("token"), nowOf(ctx.state));
      return ctx.redirect("/connections?restored=1");
    }
    const clientId = form?.get("client_id");
    if (typeof clientId !== "string" || clientId === "" || clientId.length > 1000) {
      throw new ValidationError("Name the app to revoke.");
    }
    const outcome = await revokeConsentUndoably(kv, user.id, clientId, nowOf(ctx.state));
    if (outcome.kind === "not_connected") {
      throw new NotFoundError("That app is not connected to your account.");
    }
    if (outcome.undoToken === null) return ctx.redirect("/connections?revoked=final");
    return ctx.redirect(`/connections?revoked=1&undo=${outcome.undoToken}`);
  },
};

/** The Connected apps page: the list with Revoke buttons, under the app header. */
export default function ConnectionsPage({ data, state }: PageProps<Data>) {
  return (
    <>
      <Head>
        <title>Connected apps · Todos</title>
      </Head>
      <AppHeader user={state.user!} current="/connections" />
      <ConnectedApps consents={data.consents} status={data.status} />
    </>
  );
}
