/** The field parsers of the configuration (lib/config.ts): loopback hosts and origins. */
import * as z from "zod/mini";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** True for `localhost`, `127.0.0.0/8` and `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * An origin URL: https (plain http only for a loopback host, unless `httpsOnly`), no path,
 * query or fragment.
 */
export const originUrl = (name: string, { httpsOnly = false } = {}) =>
  z.pipe(
    z.string().check(z.trim()),
    z.transform((value: string, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        const hint = /^[\w.-]+\.[a-z]{2,}$/i.test(value)
          ? ` (did you mean "https://${value}"?)`
          : "";
        ctx.issues.push({
          input: value,
          code: "custom",
          message: `${name} must be an absolute URL, got "${value}"${hint}`,
        });
        return z.NEVER;
      }
      const plainHttpOk = !httpsOnly && url.protocol === "http:" && isLoopbackHost(url.hostname);
      if (url.protocol !== "https:" && !plainHttpOk) {
        ctx.issues.push({
          input: value,
          code: "custom",
          message: httpsOnly
            ? `${name} must use https, got "${value}"`
            : `${name} must use https (plain http only for a loopback host), got "${value}"`,
        });
        return z.NEVER;
      }
      if (url.pathname !== "/" || url.search || url.hash) {
        ctx.issues.push({
          input: value,
          code: "custom",
          message: `${name} must be an origin without a path, query or fragment, got "${value}"`,
        });
        return z.NEVER;
      }
      return new URL(url.origin);
    }),
  );
