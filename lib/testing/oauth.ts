/** Helpers for the OAuth server's tests: PKCE pairs, registration, and the consent flow over HTTP. */
import assert from "node:assert/strict";
import { TEST_ORIGIN, type TestApp } from "./app.ts";
import { s256 } from "../oauth/pkce.ts";

export const REDIRECT_URI = "http://127.0.0.1:33418/callback";
export const RESOURCE = `${TEST_ORIGIN}/mcp`;

/** A fresh PKCE verifier and its S256 challenge. */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = crypto.randomUUID() + crypto.randomUUID();
  return { verifier, challenge: await s256(verifier) };
}

/** Registers a client through `/oauth/register` and returns its id. */
export async function registerClient(
  app: TestApp,
  metadata: Record<string, unknown> = {},
): Promise<string> {
  const response = await app.request("/oauth/register", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      client_name: "Test Client",
      redirect_uris: [REDIRECT_URI],
      ...metadata,
    }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()).client_id;
}

/** The authorize URL path and query for `clientId`, with overrides (`null` drops a parameter). */
export function authorizePath(
  clientId: string,
  challenge: string,
  overrides: Record<string, string | null> = {},
): string {
  const params: Record<string, string | null> = {
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "state-123",
    resource: RESOURCE,
    ...overrides,
  };
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null) query.set(name, value);
  return `/oauth/authorize?${query}`;
}

/** Reads the consent form's CSRF token from the page HTML. */
export function csrfTokenOf(html: string): string {
  const match = html.match(/name="csrf_token" value="([^"]+)"/);
  assert.ok(match, "consent page has a csrf_token field");
  return match[1];
}

/** Posts the consent form with `decision` (as a same-origin browser would). */
export function postConsent(
  app: TestApp,
  cookie: string,
  csrfToken: string,
  decision: string,
): Promise<Response> {
  return app.request("/oauth/authorize", {
    method: "POST",
    headers: {
      Cookie: cookie,
      Origin: TEST_ORIGIN,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ csrf_token: csrfToken, decision }),
    redirect: "manual",
  });
}

/** Signs in as `email`, approves the request on the consent page, and returns the code. */
export async function authorizeCode(
  app: TestApp,
  clientId: string,
  challenge: string,
  email = "ada@example.com",
): Promise<{ code: string; cookie: string }> {
  const cookie = await app.signIn(email);
  const page = await app.request(authorizePath(clientId, challenge), {
    headers: { Cookie: cookie },
  });
  assert.equal(page.status, 200);
  const response = await postConsent(app, cookie, csrfTokenOf(await page.text()), "allow");
  assert.equal(response.status, 303);
  const code = new URL(response.headers.get("Location")!).searchParams.get("code");
  assert.ok(code);
  return { code, cookie };
}

/** A path-taking fetch: `app.request`, or `fetch` against a running server. */
export type RequestPath = (path: string, init: RequestInit) => Promise<Response>;

/** Posts a form to `/oauth/token` through `request`. */
export function postTokenForm(
  request: RequestPath,
  params: Record<string, string>,
): Promise<Response> {
  return request("/oauth/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
}

/** Posts a form to `/oauth/token` of the in-process `app`. */
export function tokenRequest(app: TestApp, params: Record<string, string>): Promise<Response> {
  return postTokenForm(app.request, params);
}

/** Refreshes `refreshToken` for `clientId` with extra `params`. */
export function refreshRequest(
  app: TestApp,
  clientId: string,
  refreshToken: string,
  params: Record<string, string> = {},
): Promise<Response> {
  return tokenRequest(app, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: refreshToken,
    ...params,
  });
}

/** Exchanges a code for tokens, asserting success. */
export async function exchangeCode(
  app: TestApp,
  clientId: string,
  code: string,
  verifier: string,
): Promise<{ access_token: string; refresh_token: string; scope: string; expires_in: number }> {
  const response = await tokenRequest(app, {
    grant_type: "authorization_code",
    client_id: clientId,
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
    resource: RESOURCE,
  });
  assert.equal(response.status, 200, await response.clone().text());
  return await response.json();
}

/** Registers a client, signs in, approves, and returns everything a token request needs. */
export async function approvedCode(
  app: TestApp,
): Promise<{ clientId: string; verifier: string; code: string }> {
  const clientId = await registerClient(app);
  const { verifier, challenge } = await pkcePair();
  const { code } = await authorizeCode(app, clientId, challenge);
  return { clientId, verifier, code };
}

/** An MCP `ping` with `token` as the bearer, sent through `request` (path, init). */
export function mcpPing(request: RequestPath, token: string): Promise<Response> {
  return request("/mcp", {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
}

/** The status of an MCP `ping` with `token` as the bearer, sent through `request` (path, init). */
export async function mcpPingStatus(request: RequestPath, token: string): Promise<number> {
  const response = await mcpPing(request, token);
  await response.body?.cancel();
  return response.status;
}

/** The RFC 6749 error of a refused token request, asserting it is not cached and has a description. */
export async function oauthErrorOf(response: Response): Promise<{ status: number; error: string }> {
  assert.equal(response.headers.get("Cache-Control"), "no-store");
  const body = await response.json();
  assert.equal(typeof body.error_description, "string");
  return { status: response.status, error: body.error };
}

/** Verifies an access token the way `/mcp` does (for `resource`, by default the app's). */
export function verifyForMcp(app: TestApp, token: string, resource = RESOURCE) {
  return app.deps.identity.verifyAccessToken(token, resource);
}
