import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";
import { routeLazily } from "./lazy_mount.ts";

/** A root app that sets a variable (`requestId`) before routing, with `load` mounted at /area. */
function rootWith(load: () => Promise<Hono<AppEnv>>): Hono<AppEnv> {
  const root = new Hono<AppEnv>();
  root.use(async (c, next) => {
    c.set("requestId", "req-1");
    await next();
  });
  root.onError((error, c) => c.text(`root caught: ${error.message}`, 500));
  routeLazily(root, "/area", load);
  root.get("*", (c) => c.text("later route"));
  return root;
}

Deno.test("the sub-app is built on the first request only, once for concurrent requests", async () => {
  let builds = 0;
  const root = rootWith(async () => {
    builds++;
    await new Promise((resolve) => setTimeout(resolve, 10));
    const sub = new Hono<AppEnv>();
    sub.get("/", (c) => c.text("area"));
    return sub;
  });
  assert.equal(builds, 0);
  const answers = await Promise.all([root.request("/area"), root.request("/area")]);
  assert.deepEqual(await Promise.all(answers.map((res) => res.text())), ["area", "area"]);
  await root.request("/area");
  assert.equal(builds, 1);
});

Deno.test("the sub-app reads the root's variables and its own route parameters", async () => {
  const root = rootWith(() => {
    const sub = new Hono<AppEnv>();
    sub.get("/items/:id", (c) => c.text(`${c.var.requestId} ${c.req.param("id")}`));
    return Promise.resolve(sub);
  });
  assert.equal(await (await root.request("/area/items/7")).text(), "req-1 7");
});

Deno.test("paths the sub-app does not answer go on to the routes after it", async () => {
  const root = rootWith(() => {
    const sub = new Hono<AppEnv>();
    sub.post("/only-post", (c) => c.text("posted"));
    return Promise.resolve(sub);
  });
  assert.equal(await (await root.request("/area/elsewhere")).text(), "later route");
  assert.equal(await (await root.request("/area/only-post")).text(), "later route");
  const posted = await root.request("/area/only-post", { method: "POST" });
  assert.equal(await posted.text(), "posted");
});

Deno.test("errors go to the sub-app's own handler, else to the root's", async () => {
  const withHandler = rootWith(() => {
    const sub = new Hono<AppEnv>();
    sub.onError((error, c) => c.text(`sub caught: ${error.message}`, 400));
    sub.get("/", () => {
      throw new Error("boom");
    });
    return Promise.resolve(sub);
  });
  const own = await withHandler.request("/area");
  assert.deepEqual([own.status, await own.text()], [400, "sub caught: boom"]);

  const without = rootWith(() => {
    const sub = new Hono<AppEnv>();
    sub.get("/", () => {
      throw new Error("boom");
    });
    return Promise.resolve(sub);
  });
  const root = await without.request("/area");
  assert.deepEqual([root.status, await root.text()], [500, "root caught: boom"]);
});

Deno.test("a build that fails is tried again on the next request", async () => {
  let attempts = 0;
  const root = rootWith(() => {
    attempts++;
    if (attempts === 1) return Promise.reject(new Error("not yet"));
    const sub = new Hono<AppEnv>();
    sub.get("/", (c) => c.text("built"));
    return Promise.resolve(sub);
  });
  const failed = await root.request("/area");
  assert.deepEqual([failed.status, await failed.text()], [500, "root caught: not yet"]);
  assert.equal(await (await root.request("/area")).text(), "built");
});
