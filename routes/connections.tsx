import { AppHeader } from "../components/AppHeader.tsx";
import { ConnectedApps } from "../components/ConnectedApps.tsx";
import { NotFoundError, ValidationError } from "../lib/errors.ts";
import { listConsents, revokeConsent, type StoredConsent } from "../lib/oauth/store.ts";
import { type Handlers, Head, type PageProps, type PageState } from "../lib/pages/mod.ts";
import { loginUrl } from "../lib/pages/return_to.ts";

interface Data {
  consents: StoredConsent[];
  /** Set right after a revocation (the page says so, without echoing anything from the URL). */
  revoked: boolean;
}

/** Connected apps live in the built-in authorization server (local mode only). */
function requireLocal(state: PageState): void {
  if (state.deps.identity.kind !== "local") {
    throw new NotFoundError("Connected apps are managed in your Stytch account in this mode.");
  }
}

/** `/connections`: the apps the signed-in person approved, each with a Revoke button. */
export const handler: Handlers<Data> = {
  async GET(ctx) {
    requireLocal(ctx.state);
    const user = ctx.state.user;
    if (!user) return ctx.redirect(loginUrl(ctx.url), 302);
    return ctx.render({
      consents: await listConsents(ctx.state.deps.kv, user.id),
      revoked: ctx.url.searchParams.get("revoked") === "1",
    }, { headers: { "Cache-Control": "no-store" } });
  },
  async POST(ctx) {
    requireLocal(ctx.state);
    const user = ctx.state.user;
    if (!user) return ctx.redirect(loginUrl(ctx.url));
    const form = await ctx.req.formData().catch(() => null);
    const clientId = form?.get("client_id");
    if (typeof clientId !== "string" || clientId === "" || clientId.length > 1000) {
      throw new ValidationError("Name the app to revoke.");
    }
    const kv = ctx.state.deps.kv;
    const consent = (await listConsents(kv, user.id)).find((c) => c.clientId === clientId);
    if (!consent) throw new NotFoundError("That app is not connected to your account.");
    await revokeConsent(kv, user.id, clientId);
    return ctx.redirect("/connections?revoked=1");
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
      <ConnectedApps consents={data.consents} revoked={data.revoked} />
    </>
  );
}
