/**
 * The session look-up of routes/_middleware.ts is lazy: while the identity provider cannot tell
 * who is signed in, pages that guard data answer 503 (strict), /login and / still work
 * (lenient), and /logout never asks at all.
 */
import assert from "node:assert/strict";
import { ServiceUnavailableError } from "../lib/errors.ts";
import { createIdentityProvider } from "../lib/identity_provider.ts";
import { createTestApp, TEST_ORIGIN } from "../lib/testing/app.ts";

Deno.test("while the provider cannot tell, guarded pages are 503, /login and / work, /logout never asks", async () => {
  let checks = 0;
  using test = await createTestApp({
    identity: async (config, kv) => ({
      ...(await createIdentityProvider(config, kv)),
      getSession: () => {
        checks++;
        return Promise.reject(new ServiceUnavailableError("Keys unreachable."));
      },
    }),
  });
  const html = { Accept: "text/html" };
  for (const path of ["/todoapp", "/connections", "/oauth/authorize?client_id=x"]) {
    const res = await test.request(path, { headers: html });
    assert.equal(res.status, 503, path);
    const body = await res.text();
    assert.match(body, /Sign-in is briefly unavailable/, path);
    assert.match(body, /Your todos are safe/, path);
    // No internals, and a Try again that asks for the page wanted (path and query) once more.
    assert.doesNotMatch(body, /Keys unreachable|signing keys|fetch/i, path);
    assert.ok(body.includes(`<a class="button-link" href="${path}">Try again</a>`), path);
  }
  for (const path of ["/login", "/"]) {
    const res = await test.request(path, { headers: html });
    assert.equal(res.status, 200, path);
    await res.body?.cancel();
  }
  const before = checks;
  const logout = await test.request("/logout", {
    method: "POST",
    headers: { ...html, Origin: TEST_ORIGIN },
  });
  assert.equal(logout.status, 303);
  await logout.body?.cancel();
  assert.equal(checks, before, "POST /logout never asks the identity provider");
});

Deno.test("the session is looked up at most once per request", async () => {
  let checks = 0;
  using test = await createTestApp({
    identity: async (config, kv) => {
      const provider = await createIdentityProvider(config, kv);
      return {
        ...provider,
        getSession: (req: Request) => {
          checks++;
          return provider.getSession(req);
        },
      };
    },
  });
  const cookie = await test.signIn("ada@example.com");
  const res = await test.request("/todoapp", { headers: { Cookie: cookie } });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.equal(checks, 1);
});
