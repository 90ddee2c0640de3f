import type { StoredConsent } from "../lib/oauth/store.ts";

/** The list of apps a person approved (MCP clients of the built-in authorization server). */
export function ConnectedApps(
  { consents, revoked }: { consents: StoredConsent[]; revoked: boolean },
) {
  return (
    <main class="card" id="main">
      <h1>Connected apps</h1>
      {revoked && <p role="status">Access revoked: that app's tokens no longer work.</p>}
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
        Revoking signs the app out at once: its access and refresh tokens stop working.
      </p>
    </main>
  );
}
