import { useEffect } from "preact/hooks";

/**
 * Keeps a signed-in page from showing after its session ended. Browsers' back/forward cache
 * restores pages, `Cache-Control: no-store` ones included, without asking the server; so the
 * page hides itself when it goes into that cache, and when restored (`pageshow` with
 * `persisted`) checks the session first: the same person gets a fresh copy, anyone else the
 * words "You are signed out". Renders nothing.
 */
export default function SessionGuard({ email }: { email: string | null }) {
  useEffect(() => {
    const root = document.documentElement;
    const onHide = (event: PageTransitionEvent) => {
      if (event.persisted) root.classList.add("checking-session");
    };
    const onShow = async (event: PageTransitionEvent) => {
      if (!event.persisted) return;
      root.classList.add("checking-session");
      let signedIn: boolean | null = null; // null: could not tell
      try {
        const res = await fetch("/api/session", { cache: "no-store" });
        if (res.ok) signedIn = (await res.json())?.user?.email === email;
        else if (res.status === 401) signedIn = false;
      } catch {
        // offline: treated like "could not tell" below
      }
      if (signedIn) return location.reload();
      showSignedOut(signedIn === false);
      root.classList.remove("checking-session");
    };
    addEventListener("pagehide", onHide);
    addEventListener("pageshow", onShow);
    return () => {
      removeEventListener("pagehide", onHide);
      removeEventListener("pageshow", onShow);
    };
  }, [email]);
  return null;
}

/** Replaces the page with a short message and a way back in. */
function showSignedOut(known: boolean) {
  const element = <K extends keyof HTMLElementTagNameMap>(tag: K, text = "") => {
    const node = document.createElement(tag);
    node.textContent = text;
    return node;
  };
  const main = element("main");
  main.className = "card narrow";
  main.id = "main";
  const heading = element("h1", known ? "You are signed out" : "Could not check your session");
  heading.tabIndex = -1;
  const returnTo = location.pathname + location.search;
  const link = element("a", "Sign in");
  link.href = `/login?returnTo=${encodeURIComponent(returnTo)}`;
  const line = element("p");
  if (known) line.append(link, " to see your todos again.");
  else {line.append(
      "Check your connection, then ",
      Object.assign(element("a", "reload the page"), { href: returnTo }),
      ".",
    );}
  main.append(heading, line);
  document.title = known ? "Signed out · Todos" : "Offline · Todos";
  document.body.replaceChildren(main);
  heading.focus();
}
