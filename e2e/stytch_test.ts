/**
 * Stytch mode in Chromium. The server verifies session JWTs against a loopback test issuer
 * standing in for the Stytch project domain; in the browser every request to that domain is
 * answered by a fake Stytch API (`page.route`), so nothing leaves the machine.
 *
 * Over 350 lines on purpose: one Chromium page and one fake Stytch API serve every step, so the
 * steps share one file (a browser or page start costs more than a step).
 */
import assert from "node:assert/strict";
import type { BrowserContext, Route } from "playwright-core";
import { startTestIssuer, type TestIssuer } from "../lib/testing/issuer.ts";
import {
  sessionClaims,
  stytchEnv,
  TEST_PUBLIC_TOKEN,
  TEST_SECRET,
  TEST_USER_ID,
} from "../lib/testing/stytch_mode.ts";
import { launchBrowser, startServer, type TestServer } from "./browser.ts";

interface StytchCall {
  method: string;
  path: string;
  /** The Basic credentials' user part: the SDK's public token. */
  publicToken: string | null;
  body: Record<string, unknown> | null;
}

/** A fake Stytch API answering the SDK's calls to `issuer.origin` inside `context`. */
async function fakeStytch(
  context: BrowserContext,
  issuer: TestIssuer,
  appOrigin: string,
  options: { refuseSite?: boolean; consentRemembered?: boolean } = {},
) {
  const calls: StytchCall[] = [];
  const cors = {
    "Access-Control-Allow-Origin": appOrigin,
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, X-SDK-Client, X-SDK-Parent-Host",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE",
  };
  const json = (route: Route, status: number, body: unknown) =>
    route.fulfill({ status, headers: cors, contentType: "application/json", json: body });
  const signedIn = async () => {
    const jwt = await issuer.sign(sessionClaims(issuer));
    const now = new Date().toISOString();
    const session = {
      session_id: "session-test-fake",
      user_id: TEST_USER_ID,
      started_at: now,
      last_accessed_at: now,
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      authentication_factors: [],
      attributes: { ip_address: "", user_agent: "" },
      custom_claims: {},
      roles: [],
    };
    const user = {
      user_id: TEST_USER_ID,
      emails: [{ email_id: "email-test-fake", email: "ada@example.com", verified: true }],
      name: { first_name: "", middle_name: "", last_name: "" },
      status: "active",
      phone_numbers: [],
      providers: [],
      webauthn_registrations: [],
      totps: [],
      crypto_wallets: [],
      biometric_registrations: [],
      roles: [],
      trusted_metadata: {},
      untrusted_metadata: {},
      created_at: now,
      password: null,
    };
    return {
      data: {
        request_id: "request-id-test-fake",
        status_code: 200,
        user_id: TEST_USER_ID,
        user,
        session,
        session_token: "opaque-session-token-fake",
        session_jwt: jwt,
      },
    };
  };

  // The SDK always calls `https://<host of STYTCH_DOMAIN>`, whatever its scheme and port.
  await context.route(`${sdkOrigin(issuer)}/**`, async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    const basic = request.headers()["authorization"]?.replace(/^Basic /, "");
    calls.push({
      method: request.method(),
      path: url.pathname,
      publicToken: basic ? atob(basic).split(":")[0] : null,
      body: request.postData() ? JSON.parse(request.postData()!) : null,
    });
    if (request.method() === "OPTIONS") return route.fulfill({ status: 204, headers: cors });
    if (options.refuseSite && !url.pathname.endsWith("/events")) {
      return json(route, 401, {
        status_code: 401,
        error_type: "unauthorized_credentials",
        error_message: "Unauthorized credentials.",
      });
    }
    const path = url.pathname.replace(/^\/sdk\/v1/, "");
    if (path === `/projects/bootstrap/${TEST_PUBLIC_TOKEN}`) {
      return json(route, 200, {
        data: {
          project_name: "Todos (test)",
          disable_sdk_watermark: true,
          captcha_settings: { enabled: false },
          cname_domain: null,
          email_domains: [],
          password_config: null,
          pkce_required_for_oauth: false,
          pkce_required_for_email_magic_links: false,
          dfp_protected_auth_enabled: false,
        },
      });
    }
    if (path === "/events") return json(route, 200, { data: {} });
    if (path === "/sessions/authenticate") {
      if (!basic || atob(basic).endsWith(`:${TEST_PUBLIC_TOKEN}`)) {
        return json(route, 404, {
          status_code: 404,
          error_type: "session_not_found",
          error_message: "Session could not be found.",
        });
      }
      return json(route, 200, await signedIn());
    }
    if (path === "/oauth/authenticate") return json(route, 200, await signedIn());
    if (path === "/sessions/revoke") {
      return json(route, 200, { data: { request_id: "r", status_code: 200 } });
    }
    if (path === "/idp/oauth/authorize/submit") {
      const body = JSON.parse(request.postData() ?? "{}");
      const redirect = new URL(body.redirect_uri);
      redirect.searchParams.set("code", "authorization-code-fake");
      if (body.state) redirect.searchParams.set("state", body.state);
      return json(route, 200, {
        data: { request_id: "r", status_code: 200, redirect_uri: redirect.href },
      });
    }
    if (path === "/idp/oauth/authorize/start") {
      return json(route, 200, {
        data: {
          request_id: "r",
          status_code: 200,
          user_id: TEST_USER_ID,
          user: (await signedIn()).data.user,
          client: {
            client_id: "connected-app-test-fake",
            client_type: "third_party_public",
            client_name: "Fake MCP Client",
            client_description: "",
          },
          consent_required: !options.consentRemembered,
          scope_results: [
            { scope: "openid", is_grantable: true, description: "Know who you are" },
            { scope: "read:todos", is_grantable: true, description: "Read your todos" },
          ],
        },
      });
    }
    return json(route, 404, { status_code: 404, error_type: "not_found", error_message: path });
  });
  return calls;
}

/** Cookies of a signed-in Stytch browser: the session JWT (verified by the server) and token. */
async function signInCookies(context: BrowserContext, server: TestServer, issuer: TestIssuer) {
  const jwt = await issuer.sign(sessionClaims(issuer));
  await context.addCookies([
    { name: "stytch_session_jwt", value: jwt, url: server.origin },
    { name: "stytch_session", value: "opaque-session-token-fake", url: server.origin },
  ]);
}

const AUTHORIZE_QUERY = "?response_type=code&client_id=connected-app-test-fake" +
  "&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback&scope=openid+read%3Atodos" +
  "&state=xyz%26more&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" +
  "&code_challenge_method=S256";

Deno.test("Stytch mode in Chromium", async (t) => {
  const issuer = await startTestIssuer();
  try {
    await using server = await startServer({ env: stytchEnv(issuer) });
    await using browser = await launchBrowser();
    // One page for every step (each starts with no cookies, storage or routes of the last).
    await using tab = await browser.keepPage();

    await t.step(
      "/login mounts Stytch's login UI with the public token, never the secret",
      () =>
        tab.run(async (page, { context }) => {
          const calls = await fakeStytch(context, issuer, server.origin);
          const response = await page.goto(server.url("/login?returnTo=%2Ftodoapp"));
          const csp = response!.headers()["content-security-policy"];
          assert.match(csp, new RegExp(`connect-src 'self' ${sdkOrigin(issuer)}(;|$)`));
          assert.match(csp, /script-src 'self';/);
          assert.ok(!(await response!.text()).includes(TEST_SECRET));

          await page.locator("stytch-ui input[type=email]").waitFor();
          await page.getByText("Continue with Google").waitFor();
          const bootstrap = calls.find((c) => c.path.startsWith("/sdk/v1/projects/bootstrap/"));
          assert.equal(bootstrap?.path, `/sdk/v1/projects/bootstrap/${TEST_PUBLIC_TOKEN}`);
          // Telemetry (/events) names the public token in its body, not in Basic credentials.
          const events = (c: StytchCall) =>
            c.path === "/sdk/v1/events" &&
            JSON.stringify(c.body).includes(`"public_token":"${TEST_PUBLIC_TOKEN}"`);
          assert.ok(
            calls.every((c) =>
              c.method === "OPTIONS" || c.publicToken === TEST_PUBLIC_TOKEN || events(c)
            ),
            JSON.stringify(calls.map((c) => [c.path, c.publicToken])),
          );
          assert.ok(!(await page.content()).includes(TEST_SECRET));
        }),
    );

    await t.step(
      "an email one-time passcode request goes to Stytch with the address",
      () =>
        tab.run(async (page, { context }) => {
          const calls = await fakeStytch(context, issuer, server.origin);
          await page.goto(server.url("/login"));
          await page.locator("stytch-ui input[type=email]").fill("ada@example.com");
          await page.locator("stytch-ui button[type=submit]").first().click();
          await waitFor(() => calls.some((c) => c.path.includes("/otps/email/login_or_create")));
          const send = calls.find((c) => c.path.includes("/otps/email/login_or_create"))!;
          assert.equal(send.body?.email, "ada@example.com");
        }),
    );

    await t.step(
      "when Stytch refuses this site, /login says what to configure",
      () =>
        tab.run(async (page, { context }) => {
          await fakeStytch(context, issuer, server.origin, { refuseSite: true });
          await page.goto(server.url("/login"));
          await page.locator("stytch-ui input[type=email]").fill("ada@example.com");
          await page.locator("stytch-ui button[type=submit]").first().click();
          const alert = page.locator(".stytch-login .error[role=alert]");
          await alert.waitFor();
          const text = await alert.innerText();
          assert.match(text, /Frontend SDKs -> Authorized applications/);
          assert.ok(text.includes(server.origin), text);
        }),
    );

    await t.step(
      "/authenticate completes the OAuth redirect and opens returnTo",
      () =>
        tab.run(async (page, { context }) => {
          const calls = await fakeStytch(context, issuer, server.origin);
          await page.goto(server.url("/login?returnTo=%2Ftodoapp%3Fview%3Dall"));
          await page.locator("stytch-ui input[type=email]").waitFor();
          await page.goto(server.url("/authenticate?stytch_token_type=oauth&token=oauth-token-1"));
          await page.waitForURL(server.url("/todoapp?view=all"));
          const exchange = calls.find((c) => c.path === "/sdk/v1/oauth/authenticate");
          assert.equal(exchange?.body?.token, "oauth-token-1");
          // The server accepted the session JWT cookie the SDK stored.
          await page.locator("h1", { hasText: "Your todos" }).waitFor();
        }),
    );

    await t.step(
      "consent remembered, signed out: signing in again lands at the client's callback with a code",
      () =>
        tab.run(async (page, { context }) => {
          // Stytch sign-in ends in script navigation (/authenticate -> returnTo), never a form
          // post, so the login page's form-action 'self' has no redirect chain to block.
          const calls = await fakeStytch(context, issuer, server.origin, {
            consentRemembered: true,
          });
          await context.route("http://127.0.0.1:1/**", (route) => route.fulfill({ body: "ok" }));
          await page.goto(server.url(`/oauth/authorize${AUTHORIZE_QUERY}`));
          assert.equal(new URL(page.url()).pathname, "/login");
          await page.locator("stytch-ui input[type=email]").waitFor();
          await page.goto(server.url("/authenticate?stytch_token_type=oauth&token=oauth-token-2"));
          await page.waitForURL(/^http:\/\/127\.0\.0\.1:1\/callback/);
          const callback = new URL(page.url());
          assert.equal(callback.searchParams.get("code"), "authorization-code-fake");
          assert.equal(callback.searchParams.get("state"), "xyz&more");
          // No consent screen: the SDK finished the authorization by itself.
          assert.ok(calls.some((c) => c.path === "/sdk/v1/idp/oauth/authorize/submit"));
        }),
    );

    await t.step(
      "an expired session JWT is renewed on the server: the page opens at once with new cookies",
      () =>
        tab.run(async (page, { context }) => {
          const session = await issuer.api.startSession({ jwtExpiresIn: -1 });
          await context.addCookies([
            { name: "stytch_session_jwt", value: session.sessionJwt, url: server.origin },
            { name: "stytch_session", value: session.sessionToken, url: server.origin },
          ]);
          const before = issuer.api.calls.authenticate;
          const visited: string[] = [];
          page.on("framenavigated", (frame) => {
            if (frame === page.mainFrame()) visited.push(new URL(frame.url()).pathname);
          });
          await page.goto(server.url("/todoapp"));
          await page.locator("h1", { hasText: "Your todos" }).waitFor();
          assert.deepEqual(visited, ["/todoapp"]);
          assert.equal(issuer.api.calls.authenticate, before + 1);
          const jwt = (await context.cookies(server.origin)).find((c) =>
            c.name === "stytch_session_jwt"
          );
          assert.ok(jwt && jwt.value !== session.sessionJwt, "a renewed JWT is set");
        }),
    );

    await t.step(
      "/todoapp with a Stytch session loads no Stytch code",
      () =>
        tab.run(async (page, { context }) => {
          await signInCookies(context, server, issuer);
          const requests: string[] = [];
          const scripts: string[] = [];
          page.on("request", (request) => requests.push(request.url()));
          page.on("response", async (response) => {
            if (response.request().resourceType() === "script") scripts.push(await response.text());
          });
          await page.goto(server.url("/todoapp"));
          await page.waitForSelector("pages-island[data-island=TodoList][data-hydrated]");
          assert.equal(new URL(page.url()).pathname, "/todoapp");
          assert.ok(scripts.length > 0);
          assert.ok(
            requests.every((url) => new URL(url).origin === server.origin),
            requests.join(),
          );
          for (const script of scripts) assert.doesNotMatch(script, /stytch/i);
        }),
    );

    await t.step(
      "/oauth/authorize sends a visitor to /login and back with the query intact",
      () =>
        tab.run(async (page, { context }) => {
          await fakeStytch(context, issuer, server.origin);
          await page.goto(server.url(`/oauth/authorize${AUTHORIZE_QUERY}`));
          const login = new URL(page.url());
          assert.equal(login.pathname, "/login");
          assert.equal(login.searchParams.get("returnTo"), `/oauth/authorize${AUTHORIZE_QUERY}`);
          await signInCookies(context, server, issuer);
          await page.goto(page.url());
          assert.equal(page.url(), server.url(`/oauth/authorize${AUTHORIZE_QUERY}`));
        }),
    );

    await t.step(
      "/oauth/authorize shows Stytch's consent UI to a signed-in person, who can allow",
      () =>
        tab.run(async (page, { context }) => {
          const calls = await fakeStytch(context, issuer, server.origin);
          await signInCookies(context, server, issuer);
          await page.goto(server.url(`/oauth/authorize${AUTHORIZE_QUERY}`));
          await page.getByText("Fake MCP Client wants to access").waitFor();
          await page.getByText("See your todos").waitFor();
          await page.getByRole("button", { name: "Allow" }).waitFor();
          const start = calls.find((c) => c.path === "/sdk/v1/idp/oauth/authorize/start");
          assert.equal(start?.body?.client_id, "connected-app-test-fake");
          assert.equal(start?.body?.redirect_uri, "http://127.0.0.1:1/callback");
          assert.equal(start?.publicToken, TEST_PUBLIC_TOKEN);

          // Allowing sends the browser back to the client with a code and the state.
          await context.route("http://127.0.0.1:1/**", (route) => route.fulfill({ body: "ok" }));
          await page.getByRole("button", { name: "Allow" }).click();
          await page.waitForURL(/^http:\/\/127\.0\.0\.1:1\/callback/);
          const callback = new URL(page.url());
          assert.equal(callback.searchParams.get("code"), "authorization-code-fake");
          assert.equal(callback.searchParams.get("state"), "xyz&more");
          const submit = calls.find((c) => c.path === "/sdk/v1/idp/oauth/authorize/submit");
          assert.equal(submit?.body?.consent_granted, true);
          assert.equal(submit?.body?.code_challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
          assert.deepEqual(submit?.body?.scopes, ["openid", "read:todos"]);
        }),
    );

    await t.step(
      "signing out revokes the Stytch session from the server and says so on /login",
      () =>
        tab.run(async (page, { context }) => {
          await fakeStytch(context, issuer, server.origin);
          const session = await issuer.api.startSession();
          await context.addCookies([
            { name: "stytch_session_jwt", value: session.sessionJwt, url: server.origin },
            { name: "stytch_session", value: session.sessionToken, url: server.origin },
          ]);
          await page.goto(server.url("/todoapp"));
          await page.getByRole("button", { name: "Sign out" }).click();
          await page.waitForURL(server.url("/login?signedOut=1"));
          await page.getByRole("status").filter({ hasText: "You are signed out" }).waitFor();
          assert.equal(issuer.api.isLive(session.sessionId), false);
          const cookies = await context.cookies(server.origin);
          assert.ok(
            !cookies.some((c) => c.name.startsWith("stytch_session")),
            JSON.stringify(cookies),
          );
          await page.locator("stytch-ui input[type=email]").waitFor();
        }),
    );
  } finally {
    await issuer.close();
  }
});

/** Where the browser SDK sends its calls for the test issuer's domain. */
function sdkOrigin(issuer: TestIssuer): string {
  return `https://${new URL(issuer.origin).hostname}`;
}

/** Polls `check` until it holds (5 s at most). */
async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(check(), "condition not met in time");
}
