/** Reading a cookie from a raw `Request` (identity providers see requests, not Hono contexts). */
import { parse } from "hono/utils/cookie";

/** The value of cookie `name` in `req`, or `null` when it is absent. */
export function requestCookie(req: Request, name: string): string | null {
  const header = req.headers.get("Cookie");
  return header ? parse(header, name)[name] ?? null : null;
}

/**
 * The request as the browser sends it after `setCookies` (`Set-Cookie` values) took effect:
 * same URL, its cookies updated (a removed one left out). For re-checking a session that was
 * renewed on `req` itself; other headers are not kept.
 */
export function requestAfter(req: Request, setCookies: readonly string[]): Request {
  if (setCookies.length === 0) return req;
  const jar = new Map(Object.entries(parse(req.headers.get("Cookie") ?? "")));
  for (const line of setCookies) {
    const [pair, ...attributes] = line.split(";");
    const at = pair.indexOf("=");
    const name = pair.slice(0, at).trim();
    const removed = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
    if (removed) jar.delete(name);
    else jar.set(name, decodeURIComponent(pair.slice(at + 1).trim()));
  }
  const cookie = [...jar].map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
  return new Request(req.url, { headers: { Cookie: cookie.join("; ") } });
}
