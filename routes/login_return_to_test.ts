import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN } from "../lib/testing/app.ts";
import { continueTarget } from "../lib/testing/sign_in.ts";

const SNEAKY = ["/.//evil.example", "/%2e//evil.example", "/a/..//evil.example/x"];

Deno.test("GET /login signed in never redirects to a path that normalises to another host", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("ada@example.com");
  for (const returnTo of SNEAKY) {
    const res = await test.request(`/login?returnTo=${encodeURIComponent(returnTo)}`, {
      headers: { Cookie: cookie },
    });
    await res.body?.cancel();
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("Location"), "/todoapp", returnTo);
  }
});

Deno.test("POST /login never redirects to a path that normalises to another host", async () => {
  using test = await createTestApp();
  for (const returnTo of SNEAKY) {
    const res = await test.request("/login", {
      method: "POST",
      headers: { Origin: TEST_ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "ada@example.com", returnTo }).toString(),
    });
    assert.equal(await continueTarget(res), "/todoapp", returnTo);
  }
});
