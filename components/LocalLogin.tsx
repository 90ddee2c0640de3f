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
        Built-in local sign-in: the same email is always the same account. Configure Stytch for real
        accounts.
      </p>
    </form>
  );
}
