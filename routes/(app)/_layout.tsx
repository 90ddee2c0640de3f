import { TopBar } from "../../components/TopBar.tsx";
import SessionGuard from "../../islands/SessionGuard.tsx";
import type { SignedInState } from "../../lib/http/page_state.ts";
import type { LayoutProps } from "../../lib/pages/mod.ts";

const LINKS = [
  { href: "/todoapp", label: "Your todos" },
  { href: "/connections", label: "Connected apps" },
];

/**
 * The signed-in pages' header: a skip link (the first tab stop), app name, links with the
 * current page marked, who is signed in, and a sign-out button. It also carries the session
 * guard that hides the page when it comes back from the back/forward cache after signing out.
 */
export default function SignedInLayout(
  { Component, state, url }: LayoutProps<unknown, SignedInState>,
) {
  const email = state.user.email ?? "Signed in";
  return (
    <>
      <TopBar home="/todoapp">
        {LINKS.map(({ href, label }) => (
          <a key={href} href={href} aria-current={href === url.pathname ? "page" : undefined}>
            {label}
          </a>
        ))}
        <span class="who" title={email}>{email}</span>
        <form method="post" action="/logout">
          <button type="submit" class="link-button">Sign out</button>
        </form>
      </TopBar>
      <SessionGuard email={state.user.email ?? null} />
      <Component />
    </>
  );
}
