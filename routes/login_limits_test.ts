/** The local sign-in form stores a user and a session per post, so posts are rate limited. */
import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN, type TestApp } from "../lib/testing/app.ts";
import { awayFromMinuteBoundary, requestFrom } from "../lib/testing/remote.ts";
import { LOCAL_SESSION_COOKIE } from "../lib/auth/local.ts";

function signIn(test: TestApp, ip: string, email: string, accept = "text/html") {
  return requestFrom(test, ip, "/login", {
    method: "POST",
    headers: {
      Origin: TEST_ORIGIN,
      Accept: accept,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ email, returnTo: "/todoapp" }).toString(),
  });
}

/** True when `res` signed someone in: a success status and a session cookie. */
function signedIn(res: Response): boolean {
  return res.status < 400 &&
    res.headers.getSetCookie().some((c) => c.startsWith(`${LOCAL_SESSION_COOKIE}=`));
}

async function count(kv: Deno.Kv, prefix: string): Promise<number> {
  return (await Array.fromAsync(kv.list({ prefix: [prefix] }))).length;
}

Deno.test("POST /login answers a 429 page with Retry-After after 30 sign-ins a minute from one address; a person elsewhere signs in at once", async () => {
  using test = await createTestApp();
  await awayFromMinuteBoundary();
  for (let n = 0; n < 30; n++) {
    const res = await signIn(test, "203.0.113.7", `loop${n}@example.com`);
    await res.body?.cancel();
    assert.ok(signedIn(res), `sign-in ${n + 1}: ${res.status}`);
  }
  const users = await count(test.kv, "local_users_by_email");
  const sessions = await count(test.kv, "sessions");
  const refused = await signIn(test, "203.0.113.7", "loop30@example.com");
  assert.equal(refused.status, 429);
  const retryAfter = Number(refused.headers.get("Retry-After"));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `${retryAfter}`);
  assert.match(refused.headers.get("Content-Type")!, /^text\/html/);
  assert.match(await refused.text(), /Too many sign-ins from your address\. Try again in/);
  assert.equal(refused.headers.getSetCookie().length, 0, "no session cookie");
  assert.equal(await count(test.kv, "local_users_by_email"), users, "no user stored");
  assert.equal(await count(test.kv, "sessions"), sessions, "no session stored");

  const person = await signIn(test, "198.51.100.20", "ada@example.com");
  await person.body?.cancel();
  assert.ok(signedIn(person), "one sign-in from another address is never limited");
});

Deno.test("POST /login from a JSON client past its limit gets a rate_limited error body", async () => {
  using test = await createTestApp({ tuning: { rateLimits: { signInsPerMinute: 1 } } });
  await awayFromMinuteBoundary();
  const first = await signIn(test, "203.0.113.7", "ada@example.com", "application/json");
  await first.body?.cancel();
  assert.ok(signedIn(first));
  const refused = await signIn(test, "203.0.113.7", "ada@example.com", "application/json");
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers.get("Retry-After")) >= 1);
  const body = await refused.json();
  assert.equal(body.error.code, "rate_limited");
  assert.match(body.error.message, /Too many sign-ins/);
});
