/**
 * Content-Security-Policy of pages. The base policy allows scripts only from the app's own
 * origin (island bundles), never inline; JSON data blocks (`type="application/json"`) are
 * not scripts, so island props need no exception. A page extends the policy per response
 * through `ctx.render(data, { csp })`.
 */

/** Directive name -> sources to add; `null` removes the directive from the policy. */
export type CspDirectives = Record<string, readonly string[] | null>;

/** The policy every page starts from. */
export const BASE_CSP: Readonly<Record<string, readonly string[]>> = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "font-src": ["'self'"],
  "connect-src": ["'self'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
  "base-uri": ["'none'"],
  "object-src": ["'none'"],
};

/**
 * The header value for `extra` merged into {@linkcode BASE_CSP}. Sources are appended
 * (deduplicated); a directive set to `null` is dropped, e.g. `{ "form-action": null }` for a
 * page whose form posts redirect to another origin (Chrome applies form-action to redirects).
 */
export function buildCsp(extra: CspDirectives = {}): string {
  const merged = new Map<string, readonly string[]>(Object.entries(BASE_CSP));
  for (const [name, sources] of Object.entries(extra)) {
    if (!/^[a-z-]+$/.test(name)) throw new Error(`Invalid CSP directive name: ${name}`);
    if (sources === null) {
      merged.delete(name);
      continue;
    }
    for (const source of sources) {
      if (/[;,\s]/.test(source)) throw new Error(`Invalid CSP source for ${name}: ${source}`);
    }
    merged.set(name, [...new Set([...(merged.get(name) ?? []), ...sources])]);
  }
  return [...merged].map(([name, sources]) => [name, ...sources].join(" ")).join("; ");
}
