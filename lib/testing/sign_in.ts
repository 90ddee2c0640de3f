/** Test helper for the local sign-in form's answer (see routes/login.tsx). */
import assert from "node:assert/strict";

/**
 * Where a successful `POST /login` answer continues to: it is a 200 page that navigates by
 * GET (`<meta http-equiv="refresh">`, same URL as its link), not a redirect. Reads the body.
 */
export async function continueTarget(response: Response): Promise<string> {
  assert.equal(response.status, 200, "a successful sign-in answers a page, not a redirect");
  assert.equal(response.headers.get("Location"), null);
  const html = await response.text();
  const refresh = html.match(/<meta http-equiv="refresh" content="0;url=([^"]*)"/)?.[1];
  const link = html.match(/<a href="([^"]*)">Continue<\/a>/)?.[1];
  assert.ok(refresh !== undefined, "the page continues by itself");
  assert.equal(link, refresh, "the link goes where the refresh goes");
  return refresh.replaceAll("&amp;", "&");
}
