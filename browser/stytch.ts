/**
 * Browser side of Stytch mode, shared by the Stytch islands: one SDK client per page, the
 * cookie options it uses, and where to go after sign-in. The SDK is imported dynamically,
 * so the server never loads it and only pages with a Stytch island download it.
 */
/// <reference lib="dom" />
import type { StytchClient } from "@stytch/vanilla-js";
import { DEFAULT_RETURN_TO, safeReturnTo } from "../lib/http/return_to.ts";

/** What a Stytch island needs to know: public values only (never the secret). */
export interface StytchBrowserConfig {
  publicToken: string;
  /** The project or custom domain, used as the SDK's API base URL. */
  domain: string;
}

/** Session lifetime requested at sign-in (the server renews by as much). */
export { SESSION_DURATION_MINUTES } from "../lib/auth/stytch_duration.ts";

const RETURN_TO_KEY = "todo.returnTo";

let client: Promise<StytchClient> | null = null;

/** The page's Stytch client, created on first use. */
export function stytchClient(config: StytchBrowserConfig): Promise<StytchClient> {
  client ??= import("@stytch/vanilla-js").then(({ createStytchClient }) =>
    createStytchClient(config.publicToken, {
      customBaseUrl: config.domain,
      // The session cookies must reach every path (/api included), not just the directory of
      // the page that set them, and no other host: path "/" and no Domain attribute.
      cookieOptions: { path: "/", availableToSubdomains: false },
    })
  );
  return client;
}

/** Loads the SDK module (for its web components). */
export function stytchModule(): Promise<typeof import("@stytch/vanilla-js")> {
  return import("@stytch/vanilla-js");
}

/** Remembers where to go after an OAuth round trip through Google and `/authenticate`. */
export function rememberReturnTo(returnTo: string): void {
  sessionStorage.setItem(RETURN_TO_KEY, safeReturnTo(returnTo));
}

/** The remembered destination (same-origin only), consumed once. */
export function takeReturnTo(): string {
  const value = sessionStorage.getItem(RETURN_TO_KEY);
  sessionStorage.removeItem(RETURN_TO_KEY);
  return value ? safeReturnTo(value) : DEFAULT_RETURN_TO;
}

/** Navigates to a same-origin path, replacing the current history entry. */
export function goTo(path: string): void {
  location.replace(safeReturnTo(path));
}

/**
 * A readable message for an SDK error, with a hint for the usual set-up mistakes (this
 * origin not authorized for the Frontend SDK, a wrong public token, a redirect URL not
 * registered). The SDK's message is Stytch's error type and text: no secrets.
 */
export function describeStytchError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const summary = text.split("\n").slice(0, 2).join(": ").slice(0, 200);
  if (/redirect/i.test(text)) {
    return `Stytch refused the redirect URL (${summary}). Add ${location.origin}/authenticate ` +
      "as a Login and Sign-up redirect URL in the Stytch dashboard.";
  }
  if (/unauthorized|domain|public_token|forbidden|\[40[13]\]/i.test(text)) {
    return `Stytch refused this site (${summary}). In the Stytch dashboard, add ` +
      `${location.origin} under Frontend SDKs -> Authorized applications, and check that ` +
      "STYTCH_PUBLIC_TOKEN belongs to this project.";
  }
  return `Sign-in with Stytch failed (${summary}). Please try again.`;
}
