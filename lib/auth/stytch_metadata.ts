/**
 * Relays Stytch's RFC 8414 authorization-server metadata for the app's own
 * `/.well-known/oauth-authorization-server` (MCP clients on the 2025-03-26 spec look there).
 */
import { ServiceUnavailableError } from "../errors.ts";

/** Successful answers are reused for this long. */
export const METADATA_MAX_AGE_MS = 10 * 60_000;
/** How long fetching Stytch's metadata may take before the request fails with 503. */
export const METADATA_TIMEOUT_MS = 3000;

export type MetadataRelay = (appOrigin: string) => Promise<Record<string, unknown>>;

/**
 * Returns a function answering Stytch's metadata with `authorization_endpoint` pointed at
 * `<appOrigin>/oauth/authorize`: Connected Apps' Authorization URL is the app's consent page.
 * One fetch is shared by concurrent callers; failures are not cached.
 */
export function createMetadataRelay(
  domain: URL,
  options: { timeoutMs?: number; maxAgeMs?: number } = {},
): MetadataRelay {
  const url = new URL("/.well-known/oauth-authorization-server", domain);
  const maxAge = options.maxAgeMs ?? METADATA_MAX_AGE_MS;
  let cached: { value: Record<string, unknown>; at: number } | null = null;
  let pending: Promise<Record<string, unknown>> | null = null;

  const refresh = () => {
    pending ??= fetchMetadata(url, options.timeoutMs ?? METADATA_TIMEOUT_MS)
      .then((value) => {
        cached = { value, at: Date.now() };
        return value;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  };

  return async (appOrigin) => {
    const metadata = cached && Date.now() - cached.at < maxAge ? cached.value : await refresh();
    return { ...metadata, authorization_endpoint: `${appOrigin}/oauth/authorize` };
  };
}

async function fetchMetadata(url: URL, timeoutMs: number): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new ServiceUnavailableError("Could not reach the authorization server; try again.");
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ServiceUnavailableError("The authorization server did not answer; try again.");
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ServiceUnavailableError("The authorization server answered malformed metadata.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ServiceUnavailableError("The authorization server answered malformed metadata.");
  }
  const metadata = body as Record<string, unknown>;
  if (typeof metadata.issuer !== "string" || typeof metadata.token_endpoint !== "string") {
    throw new ServiceUnavailableError("The authorization server answered malformed metadata.");
  }
  return metadata;
}
