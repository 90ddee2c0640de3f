import type { ConsentData } from "../lib/oauth/consent_page.ts";

/**
 * The consent page of the built-in authorization server (or why a request was refused): which
 * app asks, for which access to the person's todos, on which service, and what each scope lets
 * the app do.
 */
export function OAuthConsent({ data }: { data: ConsentData }) {
  if (data.kind === "error") {
    return (
      <main class="card narrow" id="main">
        <h1>Can't connect this app</h1>
        <p class="error" role="alert">{data.message}</p>
        <p>
          <a href="/todoapp">Back to your todos</a>
        </p>
      </main>
    );
  }
  return (
    <main class="card narrow" id="main">
      <h1>
        Allow <strong class="client-name">{data.clientName}</strong> to use your todos?
      </h1>
      <p class="consent-ask">
        <strong>{data.clientName}</strong> asks for access to your todos on{" "}
        <strong class="service-host">{data.serviceHost}</strong>.
      </p>
      {data.clientHost && <p class="hint">Published by {data.clientHost}.</p>}
      <h2>It will be able to</h2>
      <ul class="scopes">
        {data.scopes.map((scope) => (
          <li key={scope.name}>
            <strong>{scope.access}</strong>: {scope.effect} <code>{scope.name}</code>
          </li>
        ))}
      </ul>
      <p>
        After you choose, you go back to{" "}
        <strong class="redirect-host">{data.redirectHost}</strong>. Only allow apps you trust and
        started connecting yourself.
      </p>
      <form method="post" action="/oauth/authorize" class="consent-actions">
        <input type="hidden" name="csrf_token" value={data.csrfToken} />
        <button type="submit" name="decision" value="allow" class="primary">Allow</button>{" "}
        <button type="submit" name="decision" value="deny">Deny</button>
      </form>
      {data.email && (
        <p class="hint">
          Signed in as {data.email}. You can revoke access any time under Connected apps.
        </p>
      )}
    </main>
  );
}
