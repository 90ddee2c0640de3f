/** Where to send a person after sign-in: same-origin paths only (no open redirects). */

export const DEFAULT_RETURN_TO = "/todoapp";

/**
 * `value` when it is a same-origin path (`/x?y`), else {@linkcode DEFAULT_RETURN_TO}.
 * Refuses `//host` and `/\host` (browsers read both as another host), absolute URLs,
 * relative paths, control characters and anything that resolves to another origin.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== "string" || value.length > 2048) return DEFAULT_RETURN_TO;
  // deno-lint-ignore no-control-regex
  if (!/^\/(?![/\\])/.test(value) || /[\x00-\x1f\x7f\\]/.test(value)) return DEFAULT_RETURN_TO;
  const base = "http://return-to.invalid";
  const url = new URL(value, base);
  if (url.origin !== base) return DEFAULT_RETURN_TO;
  return url.pathname + url.search + url.hash;
}

/** The sign-in page URL that brings the person back to `url` (path and query) afterwards. */
export function loginUrl(url: URL): string {
  return `/login?returnTo=${encodeURIComponent(url.pathname + url.search)}`;
}
