import assert from "node:assert/strict";
import { Hono } from "hono";
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
