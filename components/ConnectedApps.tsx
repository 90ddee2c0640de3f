import type { StoredConsent } from "../lib/oauth/store/consents.ts";
import RevokeStatus from "../islands/RevokeStatus.tsx";

/** What the status line says after an action, and the token of the Undo it offers. */
export interface ConnectionsStatus {
  message: string | null;
  undoToken: string | null;
}

/**
 * The list of apps a person approved (MCP clients of the built-in authorization server), under
 * a status line that offers Undo right after a revocation.
 */
export function ConnectedApps(
  { consents, status }: { consents: StoredConsent[]; status: ConnectionsStatus },
) {
  return (
    <main class="card" id="main">
      <h1>Connected apps</h1>
      <RevokeStatus message={status.message} undoToken={status.undoToken} />
      {consents.length === 0
        ? <p class="empty">No apps are connected. Apps you allow on a consent page appear here.</p>
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
  );
}
