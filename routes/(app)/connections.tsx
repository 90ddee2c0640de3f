import McpUrl from "../../islands/McpUrl.tsx";
import RevokeStatus from "../../islands/RevokeStatus.tsx";
import { NotFoundError, ValidationError } from "../../lib/errors.ts";
import type { PageState, SignedInState } from "../../lib/http/page_state.ts";
import {
  getRevocation,
  revokeConsentUndoably,
  undoRevocation,
} from "../../lib/oauth/revocations.ts";
import { listConsents, type StoredConsent } from "../../lib/oauth/store/consents.ts";
import { type Handlers, Head, type PageProps } from "../../lib/pages/mod.ts";

/** What the status line says after an action, and the token of the Undo it offers. */
interface ConnectionsStatus {
  message: string | null;
  undoToken: string | null;
}

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
export const handler: Handlers<Data, SignedInState> = {
  async GET(_req, ctx) {
    requireOwnAuthorizationServer(ctx.state);
    const { user } = ctx.state;
    const kv = ctx.state.deps.kv;
    return ctx.render({
      consents: await listConsents(kv, user.id),
      status: await statusOf(kv, user.id, ctx.url.searchParams, nowOf(ctx.state)),
    }, { headers: { "Cache-Control": "no-store" } });
  },
  async POST(req, ctx) {
    requireOwnAuthorizationServer(ctx.state);
    const { user } = ctx.state;
    const form = await req.formData().catch(() => null);
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

/**
 * The Connected apps page (under the signed-in header, routes/(app)/_layout.tsx): the apps a
 * person approved (MCP clients of the built-in authorization server) with Revoke buttons,
 * under a status line that offers Undo right after a revocation.
 */
export default function ConnectionsPage({ data, state }: PageProps<Data, SignedInState>) {
  const { consents, status } = data;
  return (
    <>
      <Head>
        <title>Connected apps · Todos</title>
      </Head>
      <main class="card" id="main">
        <h1>Connected apps</h1>
        <RevokeStatus message={status.message} undoToken={status.undoToken} />
        {consents.length === 0
          ? <NoConnections mcpUrl={`${state.origin}/mcp`} />
          : (
            <ul class="todos connections">
              {consents.map((consent) => (
                <li class="todo" key={consent.clientId}>
                  <span class="text">
                    <strong>{consent.clientName || "An unnamed app"}</strong>{" "}
                    <span class="hint">
                      returns to {consent.redirectHost}; approved{" "}
                      {new Date(consent.approvedAt).toISOString().slice(0, 10)}
                    </span>
                  </span>
                  <form method="post" action="/connections">
                    <input type="hidden" name="client_id" value={consent.clientId} />
                    <button type="submit" class="delete">Revoke</button>
                  </form>
                </li>
              ))}
            </ul>
          )}
        <p class="hint">
          Revoking signs the app out at once: its access and refresh tokens stop working. Undo,
          offered for a few seconds, lets them work again.
        </p>
      </main>
    </>
  );
}

/** The empty state: nothing connected yet, and how to connect Claude with this server's URL. */
function NoConnections({ mcpUrl }: { mcpUrl: string }) {
  return (
    <div class="empty-state">
      <p>No apps are connected yet. Connect Claude to use your todos from a chat:</p>
      <ol>
        <li>
          Copy this MCP server URL:
          <McpUrl url={mcpUrl} />
        </li>
        <li>
          In Claude, open <strong>Settings → Connectors → Add custom connector</strong>{" "}
          and paste it (any other MCP client: add a remote server with it).
        </li>
        <li>
          Sign in on the page that opens and choose <strong>Allow</strong>; the app then shows here.
        </li>
      </ol>
    </div>
  );
}
