/** Helpers of the REST API tests (lib/api/): a signed-in test app and JSON calls to `/api`. */
import { createTestApp, sessionUser, TEST_ORIGIN, type TestApp } from "./app.ts";

/** One request to `/api`: a JSON `body`, or a `raw` one sent with `contentType`. */
export interface Call {
  method?: string;
  body?: unknown;
  /** Raw body; sent as is with `contentType`. */
  raw?: BodyInit;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Sends `options` to `/api{path}` as `cookie` (none: signed out); answers status and JSON. */
export async function call(t: TestApp, cookie: string | null, path: string, options: Call = {}) {
  const headers = new Headers(options.headers);
  if (cookie) headers.set("Cookie", cookie);
  let body: BodyInit | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  const contentType = options.contentType ?? "application/json";
  if (body !== undefined && contentType) headers.set("Content-Type", contentType);
  const res = await t.request(`/api${path}`, { method: options.method ?? "GET", headers, body });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

/** The user id behind a session cookie. */
export async function userIdOf(t: TestApp, cookie: string): Promise<string> {
  const req = new Request(TEST_ORIGIN, { headers: { Cookie: cookie } });
  return (await sessionUser(t.deps.identity, req))!.id;
}

/** A test app with Alice signed in (`alice` is her session cookie). */
export async function setup(): Promise<{ t: TestApp; alice: string }> {
  const t = await createTestApp();
  const alice = await t.signIn("alice@example.com");
  return { t, alice };
}
