import type { ComponentChildren } from "preact";

/**
 * The header of every page: a skip link to `#main` (the first tab stop), the app's name
 * linking to `home`, and the account navigation given as children (none: no navigation).
 */
export function TopBar({ home, children }: { home: string; children?: ComponentChildren }) {
  return (
    <>
      <a class="skip-link" href="#main">Skip to main content</a>
      <header class="topbar">
        <a class="brand" href={home}>
          <span class="brand-mark" aria-hidden="true" /> Todos
        </a>
        {children && <nav class="topnav" aria-label="Account">{children}</nav>}
      </header>
    </>
  );
}
