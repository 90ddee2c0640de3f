import assert from "node:assert/strict";
import { Hono } from "hono";
import { createTestApp } from "../testing/app.ts";
import { setResponseHeader } from "./middleware.ts";

Deno.test("setResponseHeader() sets headers on the handler's own Response, without copying it", async () => {
  const app = new Hono();
  let made: Response | undefined;
  let kept: boolean | undefined;
  app.use(async (c, next) => {
    await next();
    setResponseHeader(c, "X-One", "1");
    setResponseHeader(c, "X-Two", "2");
    kept = c.res === made;
  });
  app.get("/", (c) => made = c.text("hello"));
  const res = await app.request("/");
  assert.equal(kept, true);
  assert.equal(res.headers.get("X-One"), "1");
  assert.equal(res.headers.get("X-Two"), "2");
  assert.equal(await res.text(), "hello");
});

Deno.test("setResponseHeader() copies a Response whose headers are immutable, keeping its status", async () => {
  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    setResponseHeader(c, "X-One", "1");
  });
  app.get("/", () => Response.redirect("http://localhost/elsewhere", 302));
  const res = await app.request("/");
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("Location"), "http://localhost/elsewhere");
  assert.equal(res.headers.get("X-One"), "1");
});

Deno.test("every answer gets the security headers, and Strict-Transport-Security over https only", async () => {
  using test = await createTestApp({ env: { PUBLIC_URL: "https://todo.example" } });
  const app = test.app;
  const hsts = "Strict-Transport-Security";
  for (const url of ["https://todo.example/", "HTTPS://Todo.Example:443/?next=http:"]) {
    const res = await app.request(new Request(url));
    await res.body?.cancel();
    assert.equal(res.headers.get(hsts), "max-age=63072000; includeSubDomains", url);
    assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff");
  }
  // Pages, and an area's error answer (401 from /mcp).
  const answers = [
    ["http://localhost:8000/", "GET", 200],
    ["http://localhost/?https:", "GET", 200],
    ["http://localhost/mcp", "POST", 401],
  ] as const;
  for (const [url, method, status] of answers) {
    const res = await app.request(new Request(url, { method }));
    await res.body?.cancel();
    assert.equal(res.status, status, url);
    assert.equal(res.headers.get(hsts), null, url);
    assert.equal(res.headers.get("X-Frame-Options"), "DENY", url);
    assert.equal(res.headers.get("Referrer-Policy"), "strict-origin-when-cross-origin", url);
  }
});
