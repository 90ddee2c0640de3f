import { Head } from "../lib/pages/mod.ts";

/** The built-in local sign-in form: an email address, no password (development only). */
export function LocalLogin(
  { returnTo, email, error }: { returnTo: string; email: string; error: string | null },
) {
  return (
    <form class="login-form" method="post" action="/login">
      <input type="hidden" name="returnTo" value={returnTo} />
      <label for="email">Email address</label>
      <input
        id="email"
        name="email"
        type="email"
        required
        autocomplete="email"
        autofocus
        value={email}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? "login-error" : undefined}
      />
      {error && <p class="error" id="login-error" role="alert">{error}</p>}
      <button type="submit" class="primary">Sign in</button>
      <p class="hint">
        No password and no email to confirm: the same address always opens the same list.
      </p>
    </form>
  );
}

/**
 * Shown after a successful local sign-in: goes on to `returnTo` (a same-origin path) by a
 * GET navigation (meta refresh, no script), with a link for browsers that do not follow it.
 */
export function ContinueAfterSignIn({ returnTo }: { returnTo: string }) {
  return (
    <>
      <Head>
        <title>Signed in · Todos</title>
        <meta http-equiv="refresh" content={`0;url=${returnTo}`} />
      </Head>
      <main class="card narrow">
        <h1>Signed in</h1>
        <p>
          <a href={returnTo}>Continue</a>
        </p>
      </main>
    </>
  );
}
