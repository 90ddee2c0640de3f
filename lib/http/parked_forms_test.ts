import assert from "node:assert/strict";
import { getSessionUser } from "../auth/local_sessions.ts";
import { createTestApp, TEST_ORIGIN, type TestApp } from "../testing/app.ts";
import { cookieOf, setCookiesOf, TEST_USER_ID, withStytchApp } from "../testing/stytch_mode.ts";
import { createTodo, deleteTodoUndoably, listTodos, updateTodo } from "../todos/mod.ts";
import { parkedFormKeys, parkForm, takeParkedForm } from "./parked_form_store.ts";
import { MAX_PARKED_FORM_CHARS, PARKED_FORM_COOKIE, PARKED_FORM_TTL_MS } from "./parked_forms.ts";

const RESUME_URL = "/login?returnTo=%2Ftodoapp%3Fresume%3D1";

/** A same-origin no-JavaScript form post, as a browser sends it. */
const post = (cookie: string, fields: Record<string, string>) => ({
  method: "POST",
  headers: {
    Cookie: cookie,
    Origin: TEST_ORIGIN,
    Accept: "text/html",
    "Content-Type": "application/x-www-form-urlencoded",
  },
  body: new URLSearchParams(fields).toString(),
});

const userId = async (test: TestApp, cookie: string) =>
  (await getSessionUser(test.kv, cookie.split("=")[1]))!.id;

/** Posts `fields` signed out; returns the browser's parking cookie (`name=value`). */
async function parkSignedOut(test: TestApp, fields: Record<string, string>, cookie = "") {
  const res = await test.request("/todoapp", post(cookie, fields));
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("Location"), RESUME_URL);
  const set = res.headers.get("Set-Cookie") ?? "";
  assert.match(set, new RegExp(`^${PARKED_FORM_COOKIE}=[A-Za-z0-9_-]{43};`));
  return set.split(";")[0];
}

/** The page GET that sign-in returns to, from a browser holding `cookies`. */
const resume = (test: TestApp, cookies: string[], headers: Record<string, string> = {}) =>
  test.request("/todoapp?resume=1", {
    headers: { Cookie: cookies.join("; "), Accept: "text/html", ...headers },
  });

Deno.test("a form posted signed out is kept, bound to the browser by an HttpOnly SameSite=Lax cookie", async () => {
  using test = await createTestApp();
  const res = await test.request("/todoapp", post("", { action: "add", text: "Buy milk" }));
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("Location"), RESUME_URL);
  const set = res.headers.get("Set-Cookie")!;
  assert.match(set, /; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
  const stored = await Array.fromAsync(test.kv.list({ prefix: ["parked_form"] }));
  assert.equal(stored.length, 1);
  // KV holds the cookie's hash, never the cookie itself.
  assert.ok(!JSON.stringify(stored[0].key).includes(set.split(";")[0].split("=")[1]));
  assert.deepEqual((stored[0].value as { fields: unknown }).fields, [
    ["action", "add"],
    ["text", "Buy milk"],
  ]);
});

Deno.test("after sign-in the parked add is applied once for the signed-in user, filter kept", async () => {
  using test = await createTestApp();
  const parked = await parkSignedOut(test, { action: "add", text: "Buy milk", filter: "active" });
  const session = await test.signIn("ada@example.com");
  const res = await resume(test, [session, parked]);
  assert.equal(res.status, 303);
  assert.match(res.headers.get("Set-Cookie")!, new RegExp(`^${PARKED_FORM_COOKIE}=; Max-Age=0`));
  const uid = await userId(test, session);
  const [added] = await listTodos(test.kv, uid);
  assert.equal(added?.text, "Buy milk");
  assert.equal(res.headers.get("Location"), `/todoapp?filter=active&added=${added.id}`);

  // The same cookie again (a reload, a second tab): nothing more happens.
  const again = await resume(test, [session, parked]);
  assert.equal(again.status, 200);
  await again.body?.cancel();
  assert.equal((await listTodos(test.kv, uid)).length, 1);
  assert.deepEqual(await Array.fromAsync(test.kv.list({ prefix: ["parked_form"] })), []);
});

Deno.test("every no-JavaScript action survives the sign-in round trip", async () => {
  using test = await createTestApp();
  const session = await test.signIn("grace@example.com");
  const uid = await userId(test, session);
  const a = await createTodo(test.kv, uid, "Alpha");
  const b = await createTodo(test.kv, uid, "Beta");
  const c = await createTodo(test.kv, uid, "Gamma");
  const d = await createTodo(test.kv, uid, "Delta");
  await updateTodo(test.kv, uid, d.id, { completed: true });
  const gone = await deleteTodoUndoably(test.kv, uid, c.id);
  const texts = async () =>
    (await listTodos(test.kv, uid)).map((todo) => `${todo.text}${todo.completed ? " ✓" : ""}`);

  const steps: [Record<string, string>, string[]][] = [
    [{ action: "complete", id: a.id }, ["Alpha ✓", "Beta", "Delta ✓"]],
    [{ action: "incomplete", id: a.id }, ["Alpha", "Beta", "Delta ✓"]],
    [{ action: "edit", id: b.id, text: "Beta, edited" }, ["Alpha", "Beta, edited", "Delta ✓"]],
    [{ action: "undo", token: gone.token }, ["Alpha", "Beta, edited", "Gamma", "Delta ✓"]],
    [{ action: "clear-completed" }, ["Alpha", "Beta, edited", "Gamma"]],
    [{ action: "delete", id: a.id }, ["Beta, edited", "Gamma"]],
  ];
  for (const [fields, expected] of steps) {
    const parked = await parkSignedOut(test, { ...fields, filter: "completed" });
    const res = await resume(test, [session, parked]);
    assert.equal(res.status, 303, fields.action);
    assert.match(res.headers.get("Location")!, /^\/todoapp\?filter=completed\b/, fields.action);
    assert.deepEqual(await texts(), expected, fields.action);
  }
});

Deno.test("another browser cannot replay a parked form: no cookie, a guessed one, or a cross-site link", async () => {
  using test = await createTestApp();
  const parked = await parkSignedOut(test, { action: "add", text: "Only mine" });
  const victim = await test.signIn("victim@example.com");
  const uid = await userId(test, victim);

  for (
    const cookies of [
      [victim],
      [victim, `${PARKED_FORM_COOKIE}=${"A".repeat(43)}`],
      [victim, `${PARKED_FORM_COOKIE}=not-a-secret`],
    ]
  ) {
    const res = await resume(test, cookies);
    assert.equal(res.status, 200, cookies.join("; "));
    await res.body?.cancel();
  }
  // A link from another site, even to the browser that holds the cookie, replays nothing ...
  const crossSite = await resume(test, [victim, parked], { "Sec-Fetch-Site": "cross-site" });
  assert.equal(crossSite.status, 200);
  await crossSite.body?.cancel();
  assert.deepEqual(await listTodos(test.kv, uid), []);

  // ... and leaves the form to the browser's own return from sign-in.
  const own = await resume(test, [victim, parked], { "Sec-Fetch-Site": "same-origin" });
  assert.equal(own.status, 303);
  assert.equal((await listTodos(test.kv, uid)).length, 1);
});

Deno.test("concurrent returns with one parking cookie apply the form once", async () => {
  using test = await createTestApp();
  const parked = await parkSignedOut(test, { action: "add", text: "Once" });
  const session = await test.signIn("once@example.com");
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => resume(test, [session, parked])),
  );
  await Promise.all(answers.map((res) => res.body?.cancel()));
  assert.deepEqual(answers.map((res) => res.status).sort(), [200, 200, 200, 200, 303]);
  assert.equal((await listTodos(test.kv, await userId(test, session))).length, 1);
});

Deno.test("a parked form expires after ten minutes: taken late, it is gone and replays nothing", async () => {
  using kv = await Deno.openKv(":memory:");
  const now = Date.now();
  const form = { path: "/todoapp", fields: [["action", "add"]] as [string, string][] };
  await parkForm(kv, "late", { ...form, expiresAt: now + PARKED_FORM_TTL_MS }, now);
  assert.equal(await takeParkedForm(kv, "late", now + PARKED_FORM_TTL_MS), null);
  assert.equal((await kv.get(parkedFormKeys.form("late"))).value, null);

  await parkForm(kv, "in time", { ...form, expiresAt: now + PARKED_FORM_TTL_MS }, now);
  assert.deepEqual(await takeParkedForm(kv, "in time", now + PARKED_FORM_TTL_MS - 1), {
    ...form,
    expiresAt: now + PARKED_FORM_TTL_MS,
  });
});

Deno.test("forms too large or with files are not kept; parking is rate limited per address", async () => {
  using test = await createTestApp({ tuning: { rateLimits: { parkedRequestsPerMinute: 2 } } });
  const big = await test.request(
    "/todoapp",
    post("", { action: "add", text: "x".repeat(MAX_PARKED_FORM_CHARS) }),
  );
  assert.equal(big.status, 303);
  assert.equal(big.headers.get("Location"), "/login?returnTo=%2Ftodoapp");
  assert.equal(big.headers.get("Set-Cookie"), null);

  const files = new FormData();
  files.set("action", "add");
  files.set("text", new File(["x"], "x.txt"));
  const upload = await test.request("/todoapp", {
    method: "POST",
    headers: { Origin: TEST_ORIGIN, Accept: "text/html" },
    body: files,
  });
  assert.equal(upload.status, 303);
  assert.equal(upload.headers.get("Set-Cookie"), null);

  await parkSignedOut(test, { action: "add", text: "one" });
  await parkSignedOut(test, { action: "add", text: "two" });
  const third = await test.request("/todoapp", post("", { action: "add", text: "three" }));
  assert.equal(third.status, 429);
  assert.ok(third.headers.get("Retry-After"));
  await third.body?.cancel();
  assert.equal((await Array.fromAsync(test.kv.list({ prefix: ["parked_form"] }))).length, 2);
});

Deno.test("Stytch unreachable at renewal: the form post gets 503, is kept, and Try again carries it out once", async () => {
  await withStytchApp(async (test, issuer) => {
    const expired = cookieOf(await issuer.api.startSession({ jwtExpiresIn: -1 }));
    await issuer.api.setMode("down");
    const outage = await test.request("/todoapp", post(expired, { action: "add", text: "Kept" }));
    assert.equal(outage.status, 503);
    assert.ok(outage.headers.get("Retry-After"));
    await outage.body?.cancel();
    const parked = setCookiesOf(outage).lines.find((line) => line.startsWith(PARKED_FORM_COOKIE))!;
    assert.ok(parked, "the form is kept");
    assert.deepEqual(await listTodos(test.kv, TEST_USER_ID), []);

    await issuer.api.setMode("up");
    // Try again until the app asks Stytch again (it reuses an outcome for a few seconds); each
    // attempt that still meets the outage leaves the form kept.
    let again = await resume(test, [expired, parked.split(";")[0]]);
    for (let i = 0; i < 40 && again.status === 503; i++) {
      await again.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 250));
      again = await resume(test, [expired, parked.split(";")[0]]);
    }
    assert.equal(again.status, 303);
    assert.deepEqual((await listTodos(test.kv, TEST_USER_ID)).map((todo) => todo.text), ["Kept"]);
  });
});
