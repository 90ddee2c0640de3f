/**
 * The Host header, checked before anything else runs. Deno builds `req.url` from it, so a
 * malformed one (a space, userinfo, a path, a bad port) would reach every handler as a URL
 * that does not parse, or with a shifted path: such a request is a 400 at the door.
 *
 * Where the app's origin comes from the request (no `PUBLIC_URL`, or local sign-in), only
 * names that cannot be rebound by another site are answered: loopback names, the
 * `PUBLIC_URL` host and the configured `HOSTNAME`. A page on another site that points its own
 * DNS name at this machine (DNS rebinding) gets 421, before its Host can reach metadata,
 * redirects or cookies.
 */
import { type Config, isLoopbackHost } from "../config.ts";

/** `host[:port]`: a DNS name, an IPv4 address or a bracketed IPv6 address, nothing else. */
const HOST_HEADER =
  /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*)(?::(\d{1,5}))?$/;

const WILDCARD_ADDRESSES = new Set(["0.0.0.0", "::", ""]);

/** True when `value` is a well-formed `Host` header value (RFC 9110 §7.2, no userinfo or path). */
export function isWellFormedHost(value: string): boolean {
  const match = HOST_HEADER.exec(value);
  if (!match || (match[1] !== undefined && Number(match[1]) > 65535)) return false;
  return URL.canParse(`http://${value}/`);
}

/**
 * The host names this configuration answers, or `null` when any name will do: with Stytch and
 * a `PUBLIC_URL`, the origin never comes from the request, so Host is never trusted.
 */
export function answeredHostNames(config: Config): ((hostname: string) => boolean) | null {
  if (config.stytch && config.publicUrl) return null;
  const named = new Set<string>();
  if (config.publicUrl) named.add(config.publicUrl.hostname);
  if (!WILDCARD_ADDRESSES.has(config.hostname)) {
    named.add(config.hostname.includes(":") ? `[${config.hostname}]` : config.hostname);
  }
  return (hostname) => isLoopbackHost(hostname) || named.has(hostname.toLowerCase());
}

/** The last scheme and authority {@linkcode authorityOf} parsed: a server sees few. */
let lastAuthority: { prefix: string; url: URL | null } = { prefix: "", url: null };
/** The last Host value found well-formed. */
let lastGoodHost: string | undefined;

/**
 * The scheme and authority of the request URL `url` (its origin and host name), parsed, or
 * `null` when they do not parse (also an empty authority, which a whole URL's parser would
 * fill from its path). The URL is shared with other requests: read it, never change it.
 */
export function authorityOf(url: string): URL | null {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  const prefix = slash === -1 ? url : url.slice(0, slash);
  if (prefix !== lastAuthority.prefix) lastAuthority = { prefix, url: URL.parse(`${prefix}/`) };
  return lastAuthority.url;
}

/**
 * The Host check for `config`: given a request's Host header and URL, the 400 answer for a
 * malformed Host, the 421 for a name this server does not answer, or `null` to go on.
 */
export function hostRefusal(
  config: Config,
): (host: string | undefined, url: string) => Response | null {
  const answered = answeredHostNames(config);
  const wellFormed = (header: string) => {
    if (header === lastGoodHost) return true;
    if (!isWellFormedHost(header)) return false;
    lastGoodHost = header;
    return true;
  };
  return (header, requestUrl) => {
    const url = authorityOf(requestUrl);
    if (!url || (header !== undefined && !wellFormed(header))) {
      return refuse(400, "Bad request: the Host header is malformed.");
    }
    if (answered && !answered(url.hostname)) {
      return refuse(
        421,
        "Misdirected request: this server answers only for localhost and its PUBLIC_URL " +
          "(set PUBLIC_URL to the name it is reached by).",
      );
    }
    return null;
  };
}

function refuse(status: 400 | 421, message: string): Response {
  return new Response(message + "\n", {
    status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
