import assert from "node:assert/strict";
import { createTestApp, sessionUser, TEST_ORIGIN, type TestApp } from "../../lib/testing/app.ts";
import {
  authorizeCode,
  exchangeCode,
  mcpPingStatus,
  pkcePair,
  registerClient,
} from "../../lib/testing/oauth.ts";
import { listConsents } from "../../lib/oauth/store/consents.ts";

/** Posts the /connections form with `fields`, as a same-origin browser would (or from `origin`). */
function post(app: TestApp, cookie: string, fields: Record<string, string>, origin = TEST_ORIGIN) {
  return app.request("/connections", {
    method: "POST",
    headers: {
      Cookie: cookie,
      Origin: origin,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

/** Ada connects "Claude <Test>" through the built-in flow and revokes it on the page. */
async function revokedApp(app: TestApp) {
  const clientId = await registerClient(app, { client_name: "Claude <Test>" });
  const { verifier, challenge } = await pkcePair();
  const { code, cookie } = await authorizeCode(app, clientId, challenge);
  const tokens = await exchangeCode(app, clientId, code, verifier);
  const revoke = await post(app, cookie, { client_id: clientId });
  assert.equal(revoke.status, 303);
  await revoke.body?.cancel();
  const location = revoke.headers.get("Location")!;
  const undoToken = new URL(location, TEST_ORIGIN).searchParams.get("undo")!;
  const userId = (await sessionUser(
    app.deps.identity,
    new Request(TEST_ORIGIN, { headers: { Cookie: cookie } }),
  ))!.id;
  return { clientId, tokens, cookie, location, undoToken, userId };
}

/** The page's HTML at `path` for `cookie`. */
async function page(app: TestApp, path: string, cookie: string): Promise<string> {
  const response = await app.request(path, { headers: { Cookie: cookie } });
  assert.equal(response.status, 200);
  return await response.text();
}

Deno.test("/connections: Revoke offers Undo, and Undo puts the app and its tokens back", async () => {
  using app = await createTestApp();
  const { tokens, cookie, location, undoToken, userId } = await revokedApp(app);
  assert.equal(await mcpPingStatus(app.request, tokens.access_token), 401);

  const revoked = await page(app, location, cookie);
  assert.match(
    revoked,
    /role="status"[^>]*>Access revoked for Claude &lt;Test(&gt;|>): its tokens/,
  );
  assert.match(revoked, new RegExp(`name="token" value="${undoToken}"`));
  assert.match(revoked, /<button type="submit">Undo<\/button>/);
  assert.match(revoked, /No apps are connected/);

  const undo = await post(app, cookie, { action: "undo", token: undoToken });
  assert.equal(undo.status, 303);
  assert.equal(undo.headers.get("Location"), "/connections?restored=1");
  await undo.body?.cancel();
  const restored = await page(app, "/connections?restored=1", cookie);
  assert.match(restored, /Access restored/);
  assert.match(restored, /Claude &lt;Test/);
  assert.equal((await listConsents(app.kv, userId)).length, 1);
  assert.equal(
    await mcpPingStatus(app.request, tokens.access_token),
    200,
    "the app's token works again",
  );

  const used = await page(app, location, cookie);
  assert.doesNotMatch(used, /Undo<\/button>/, "a used token offers no Undo");
});

Deno.test("/connections refuses a malformed, unknown, reused or someone else's Undo (4xx, nothing changes)", async () => {
  using app = await createTestApp();
  const { tokens, cookie, location, undoToken } = await revokedApp(app);
  const bob = await app.signIn("bob@example.com");
  assert.doesNotMatch(await page(app, location, bob), /Undo<\/button>/, "Bob sees no Undo");

  for (
    const [who, fields, status] of [
      [bob, { action: "undo", token: undoToken }, 404],
      [cookie, { action: "undo", token: "not-a-token" }, 400],
      [cookie, { action: "undo" }, 400],
      [cookie, { action: "undo", token: "A".repeat(43) }, 404],
    ] as const
  ) {
    const response = await post(app, who, fields);
    assert.equal(response.status, status, JSON.stringify(fields));
    const text = await response.text();
    assert.match(text, status === 400 ? /not valid/ : /nothing to undo/);
    assert.equal(await mcpPingStatus(app.request, tokens.access_token), 401, "still revoked");
  }

  const crossSite = await post(
    app,
    cookie,
    { action: "undo", token: undoToken },
    "https://evil.example",
  );
  assert.equal(crossSite.status, 403, "a cross-site Undo is refused");
  await crossSite.body?.cancel();
  assert.equal(await mcpPingStatus(app.request, tokens.access_token), 401);

  const undo = await post(app, cookie, { action: "undo", token: undoToken });
  assert.equal(undo.status, 303, "the owner still can");
  await undo.body?.cancel();
  const again = await post(app, cookie, { action: "undo", token: undoToken });
  assert.equal(again.status, 404, "but only once");
  await again.body?.cancel();
});

Deno.test("/connections says so, without echoing the URL, when no Undo can be offered", async () => {
  using app = await createTestApp();
  const cookie = await app.signIn("ada@example.com");
  const final = await page(app, "/connections?revoked=final", cookie);
  assert.match(final, /Undo is not offered/);
  const forged = await page(app, "/connections?revoked=1&undo=%3Cb%3EUndo%3C%2Fb%3E", cookie);
  assert.match(forged, /Access revoked: that app/);
  assert.doesNotMatch(forged, /&lt;b&gt;|<b>Undo/);
  const signedOut = await app.request("/connections", {
    method: "POST",
    body: new URLSearchParams({ action: "undo", token: "A".repeat(43) }),
    headers: { Origin: TEST_ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
    redirect: "manual",
  });
  assert.equal(signedOut.status, 303);
  assert.match(signedOut.headers.get("Location")!, /^\/login/);
  await signedOut.body?.cancel();
});
