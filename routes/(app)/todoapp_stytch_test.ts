/**
 * No dropped actions across a Stytch JWT expiry: every page form post and every REST write that
 * arrives with an expired session JWT but a live Stytch session is carried out on that same
 * request, after one renewal, and its answer sets the renewed cookies. Needs `DENO_CERT`
 * (see lib/testing/stytch_api.ts).
 */
import assert from "node:assert/strict";
import { TEST_ORIGIN, type TestApp } from "../../lib/testing/app.ts";
import type { TestIssuer } from "../../lib/testing/issuer.ts";
import {
  cookieOf,
  setCookiesOf,
  TEST_USER_ID,
  withStytchApp,
} from "../../lib/testing/stytch_mode.ts";
import { createTodo, listTodos, updateTodo } from "../../lib/todos/mod.ts";

/** A `Cookie` header whose session JWT has expired while its Stytch session lives. */
async function expiredCookie(issuer: TestIssuer): Promise<string> {
  return cookieOf(await issuer.api.startSession({ jwtExpiresIn: -1 }));
}

/** Sends `init` to `path` with a freshly expired JWT; asserts one renewal and new cookies. */
async function afterExpiry(t: TestApp, issuer: TestIssuer, path: string, init: RequestInit = {}) {
  const calls = issuer.api.calls.authenticate;
  const res = await t.request(path, {
    ...init,
    headers: { ...init.headers, Cookie: await expiredCookie(issuer), Origin: TEST_ORIGIN },
  });
  assert.equal(issuer.api.calls.authenticate, calls + 1, `${path}: one renewal`);
  assert.ok(setCookiesOf(res).values.get("stytch_session_jwt"), `${path}: renewed JWT set`);
  return res;
}

const formPost = (fields: Record<string, string>): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "text/html" },
  body: new URLSearchParams(fields).toString(),
});

const jsonRequest = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: body === undefined ? undefined : JSON.stringify(body),
});

Deno.test("no-JS form posts after the JWT expired: add, complete, edit, delete, clear completed, filter", async () => {
  await withStytchApp(async (t, issuer) => {
    const post = async (fields: Record<string, string>) => {
      const res = await afterExpiry(t, issuer, "/todoapp", formPost(fields));
      assert.equal(res.status, 303, JSON.stringify(fields));
      await res.body?.cancel();
      return await listTodos(t.kv, TEST_USER_ID);
    };
    const [added] = await post({ action: "add", text: "Typed as the JWT expired" });
    assert.equal(added.text, "Typed as the JWT expired");
    assert.equal((await post({ action: "complete", id: added.id }))[0].completed, true);
    assert.equal((await post({ action: "incomplete", id: added.id }))[0].completed, false);
    assert.equal((await post({ action: "edit", id: added.id, text: "Edited" }))[0].text, "Edited");
    assert.deepEqual(await post({ action: "delete", id: added.id }), []);
    const done = await createTodo(t.kv, TEST_USER_ID, "Done already");
    await updateTodo(t.kv, TEST_USER_ID, done.id, { completed: true });
    assert.deepEqual(await post({ action: "clear-completed", filter: "all" }), []);

    const page = await afterExpiry(t, issuer, "/todoapp?filter=completed", {
      headers: { Accept: "text/html" },
    });
    assert.equal(page.status, 200);
    const html = await page.text();
    // The filter is kept: the page's forms post it back.
    assert.match(html, /<input type="hidden" name="filter" value="completed"\/>/);
  });
});

Deno.test("REST writes after the JWT expired: add, complete, edit, delete, clear completed, list", async () => {
  await withStytchApp(async (t, issuer) => {
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await afterExpiry(t, issuer, path, jsonRequest(method, body));
      assert.ok(res.ok, `${method} ${path}: ${res.status}`);
      return await res.json();
    };
    const { todo } = await call("POST", "/api/todos", { todoText: "Added after expiry" });
    assert.equal((await call("POST", `/api/todos/${todo.id}/complete`)).todo.completed, true);
    assert.equal(
      (await call("PATCH", `/api/todos/${todo.id}`, { text: "Edited" })).todo.text,
      "Edited",
    );
    await call("DELETE", "/api/todos?completed=true");
    assert.deepEqual(await listTodos(t.kv, TEST_USER_ID), []);
    const second = (await call("POST", "/api/todos", { todoText: "Second" })).todo;
    await call("DELETE", `/api/todos/${second.id}`);
    assert.deepEqual((await call("GET", "/api/todos")).todos, []);
  });
});
