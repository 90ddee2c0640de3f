import type { User } from "../lib/auth/identity.ts";

/** The signed-in header: app name, links, who is signed in, and a sign-out button. */
export function AppHeader({ user }: { user: User }) {
  return (
    <header class="topbar">
      <a class="brand" href="/todoapp">
        <span class="brand-mark" aria-hidden="true">✓</span> Todos
      </a>
      <nav class="topnav" aria-label="Account">
        <a href="/todoapp">Your todos</a>
        <a href="/connections">Connected apps</a>
        <span class="who" title="Signed in">{user.email ?? "Signed in"}</span>
        <form method="post" action="/logout">
          <button type="submit" class="link-button">Sign out</button>
        </form>
      </nav>
    </header>
  );
}
