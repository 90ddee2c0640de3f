/** Redirect URI rules: what a client may register, and how a request's URI must match. */
import { isLoopbackHost } from "../config.ts";

const MAX_REDIRECT_URI_LENGTH = 2000;

/**
 * Why `uri` cannot be registered, or `null` when it can: absolute, https or a loopback http
 * address (RFC 8252 §7.3), no fragment, no credentials.
 */
export function redirectUriProblem(uri: unknown): string | null {
  if (typeof uri !== "string" || uri.length === 0) return "must be a non-empty string";
  if (uri.length > MAX_REDIRECT_URI_LENGTH) {
    return `must be at most ${MAX_REDIRECT_URI_LENGTH} characters`;
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "must be an absolute URL";
  }
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname)) return "may use http only for a loopback host";
  } else if (url.protocol !== "https:") {
    return "must use https (or http for a loopback host)";
  }
  if (uri.includes("#")) return "must not contain a fragment";
  if (url.username || url.password) return "must not contain credentials";
  return null;
}

/**
 * True when `requested` is one of `registered`, compared exactly; the one exception is a
 * loopback http URI, whose port may differ (RFC 8252 §7.3: native apps pick a free port).
 */
export function redirectUriMatches(requested: string, registered: readonly string[]): boolean {
  if (registered.includes(requested)) return true;
  let want: URL;
  try {
    want = new URL(requested);
  } catch {
    return false;
  }
  if (want.protocol !== "http:" || !isLoopbackHost(want.hostname) || requested.includes("#")) {
    return false;
  }
  return registered.some((candidate) => {
    const have = new URL(candidate);
    return have.protocol === "http:" && isLoopbackHost(have.hostname) &&
      have.hostname === want.hostname && have.pathname === want.pathname &&
      have.search === want.search && !want.username && !want.password &&
      withoutPort(candidate, have) === withoutPort(requested, want);
  });
}

/** The URI as written, with the port removed (so only the port may differ). */
function withoutPort(raw: string, url: URL): string {
  const authority = url.port ? `${url.hostname}:${url.port}` : url.hostname;
  return raw.replace(authority, url.hostname);
}
