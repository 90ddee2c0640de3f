import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN } from "../lib/testing/app.ts";
import { LOCAL_SESSION_COOKIE } from "../lib/auth/local.ts";
import { continueTarget } from "../lib/testing/sign_in.ts";

const loginPost = (fields: Record<string, string>, origin = TEST_ORIGIN) => ({
  method: "POST",
  headers: {
    Origin: origin,
    Accept: "text/html",
    "Content-Type": "application/x-www-form-urlencoded",
  },
  body: new URLSearchParams(fields).toString(),
});

/** The `name=value` part of the session cookie a response sets. */
const sessionCookie = (res: Response) =>
  res.headers.getSetCookie().find((c) => c.startsWith(`${LOCAL_SESSION_COOKIE}=`))?.split(";")[0];

Deno.test("GET /login shows an email form that carries a safe returnTo", async () => {
  using test = await createTestApp();
  const res = await test.request("/login?returnTo=%2Ftodoapp%3Fa%3D1");
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<form class="login-form" method="post" action="\/login">/);
  assert.match(html, /<input id="email" name="email" type="email"/);
  assert.match(html, /name="returnTo" value="\/todoapp\?a=1"/);
  const evil = await (await test.request("/login?returnTo=%2F%2Fevil.example")).text();
  assert.match(evil, /name="returnTo" value="\/todoapp"/);
});

Deno.test("GET /login when already signed in goes straight to returnTo", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("ada@example.com");
  const res = await test.request("/login?returnTo=%2Fconnections", { headers: { Cookie: cookie } });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("Location"), "/connections");
});

Deno.test("POST /login signs in with an HttpOnly SameSite=Lax cookie and continues to returnTo by GET", async () => {
  using test = await createTestApp();
  const res = await test.request(
    "/login",
    loginPost({ email: "Ada@Example.com", returnTo: "/todoapp?x=1&y=2" }),
  );
  // A page, not a redirect: Chrome would apply the form's `form-action 'self'` to a redirect
  // chain ending at another origin (an OAuth client's callback once consent is remembered).
  assert.equal(await continueTarget(res), "/todoapp?x=1&y=2");
  assert.equal(res.headers.get("Cache-Control"), "no-store");
  // The refresh target is everything after `url=`: a `;url=` inside returnTo stays in the path.
  const steered = await test.request(
    "/login",
    loginPost({ email: "ada@example.com", returnTo: "/todoapp?a=1;url=https://evil.example" }),
  );
  assert.equal(await continueTarget(steered), "/todoapp?a=1;url=https://evil.example");
  assert.match(res.headers.get("Content-Security-Policy")!, /form-action 'self'/);
  const setCookie = res.headers.getSetCookie().join("\n");
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Lax/);
  const page = await test.request("/todoapp", { headers: { Cookie: sessionCookie(res)! } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /ada@example\.com/);
});

Deno.test("POST /login sends unsafe returnTo values to /todoapp", async () => {
  using test = await createTestApp();
  for (
    const returnTo of ["//evil.example", "/\\evil.example", "https://evil.example/x", "x", ""]
  ) {
    const res = await test.request("/login", loginPost({ email: "a@example.com", returnTo }));
    assert.equal(await continueTarget(res), "/todoapp", returnTo);
  }
});

Deno.test("POST /login with an invalid email shows the form again with a 400 and a message", async () => {
  using test = await createTestApp();
  const res = await test.request(
    "/login",
    loginPost({ email: "<b>not-an-email</b>", returnTo: "/todoapp" }),
  );
  assert.equal(res.status, 400);
  assert.equal(sessionCookie(res), undefined);
  const html = await res.text();
  assert.match(html, /Enter a valid email address\./);
  assert.match(html, /value="&lt;b>not-an-email&lt;\/b>"/);
  assert.doesNotMatch(html, /<b>/);
});

Deno.test("POST /login refuses cross-site posts (403) without signing in", async () => {
  using test = await createTestApp();
  const res = await test.request(
    "/login",
    loginPost({ email: "victim@example.com" }, "https://evil.example"),
  );
  assert.equal(res.status, 403);
  assert.equal(sessionCookie(res), undefined);
  await res.body?.cancel();
  const fetchSite = await test.request("/login", {
    ...loginPost({ email: "victim@example.com" }),
    headers: {
      "Sec-Fetch-Site": "cross-site",
      "Content-Type": "application/x-www-form-urlencoded",
    },
  });
  assert.equal(fetchSite.status, 403);
  await fetchSite.body?.cancel();
});

Deno.test("POST /logout ends the session, clears the cookie and 303s to /login?signedOut=1", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("ada@example.com");
  const res = await test.request("/logout", {
    method: "POST",
    headers: { Cookie: cookie, Origin: TEST_ORIGIN },
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("Location"), "/login?signedOut=1");
  assert.match(
    res.headers.getSetCookie().join("\n"),
    new RegExp(`${LOCAL_SESSION_COOKIE}=;.*Max-Age=0`),
  );
  const after = await test.request("/todoapp", { headers: { Cookie: cookie } });
  assert.equal(after.status, 302);
  assert.match(after.headers.get("Location")!, /^\/login/);
});

Deno.test("POST /logout refuses cross-site posts and keeps the session", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("ada@example.com");
  const res = await test.request("/logout", {
    method: "POST",
    headers: { Cookie: cookie, Origin: "https://evil.example" },
  });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  const after = await test.request("/todoapp", { headers: { Cookie: cookie } });
  assert.equal(after.status, 200);
  await after.body?.cancel();
});

Deno.test("POST /login marks the cookie Secure when PUBLIC_URL is https, even behind a plain-http proxy", async () => {
  using proxied = await createTestApp({ env: { PUBLIC_URL: "https://todos.example" } });
  const res = await proxied.request(
    "/login",
    loginPost({ email: "ada@example.com" }, "https://todos.example"),
  );
  assert.equal(await continueTarget(res), "/todoapp");
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${LOCAL_SESSION_COOKIE}=`))!;
  assert.match(cookie, /; Secure/);

  using plain = await createTestApp();
  const local = await plain.request("/login", loginPost({ email: "ada@example.com" }));
  await local.body?.cancel();
  const localCookie = local.headers.getSetCookie().find((c) =>
    c.startsWith(`${LOCAL_SESSION_COOKIE}=`)
  )!;
  assert.doesNotMatch(localCookie, /Secure/);
});
