/** Where to send a person after sign-in: same-origin paths only (no open redirects). */

export const DEFAULT_RETURN_TO = "/todoapp";

const MAX_RETURN_TO_LENGTH = 2048;
const BASE = "http://return-to.invalid";

/**
 * A path a browser reads as this origin's: one leading `/` not followed by `/` or `\` (both
 * mean "another host"), no backslashes and no control characters.
 */
function isPlainPath(value: string): boolean {
  // deno-lint-ignore no-control-regex
  return /^\/(?![/\\])/.test(value) && !/[\x00-\x1f\x7f\\]/.test(value);
}

/**
 * `value` when it is a same-origin path (`/x?y`), else {@linkcode DEFAULT_RETURN_TO}.
 * Refuses `//host` and `/\host` (browsers read both as another host), absolute URLs,
 * relative paths, control characters and anything that resolves to another origin.
 *
 * The check runs on the value that will be sent, after URL normalisation, not only on the
 * value received: `/.//evil.example` and `/%2e//evil.example` normalise to `//evil.example`.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== "string" || value.length > MAX_RETURN_TO_LENGTH) return DEFAULT_RETURN_TO;
  if (!isPlainPath(value)) return DEFAULT_RETURN_TO;
  const url = new URL(value, BASE);
  const normalised = url.pathname + url.search + url.hash;
  if (url.origin !== BASE || !isPlainPath(normalised)) return DEFAULT_RETURN_TO;
  // Same answer when the browser resolves the normalised value again (idempotent).
  if (new URL(normalised, BASE).href !== url.href) return DEFAULT_RETURN_TO;
  return normalised;
}

/** The sign-in page URL that brings the person back to `url` (path and query) afterwards. */
export function loginUrl(url: URL): string {
  return `/login?returnTo=${encodeURIComponent(url.pathname + url.search)}`;
}

/**
 * Where a "Try again" link takes a person whose request could not be answered: the same page
 * for a `GET` (path and query), else the same-origin page the form was on (`Referer`), else
 * {@linkcode DEFAULT_RETURN_TO}. Same-origin paths only.
 */
export function retryPath(req: Request, origin: string): string {
  const url = new URL(req.url);
  if (req.method === "GET" || req.method === "HEAD") return safeReturnTo(url.pathname + url.search);
  const referer = URL.parse(req.headers.get("Referer") ?? "");
  if (!referer || (referer.origin !== origin && referer.origin !== url.origin)) {
    return DEFAULT_RETURN_TO;
  }
  return safeReturnTo(referer.pathname + referer.search);
}
