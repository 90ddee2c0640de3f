/** Fresh's file conventions: nested `_middleware` and `_layout`. */
import assert from "node:assert/strict";
import { createPagesTestApp } from "../testing/pages.ts";
import type { FreshContext, LayoutProps, Manifest, PageProps } from "./mod.ts";

interface State {
  trail: string[];
}

/** Middleware that appends `name` to `state.trail`, then goes on. */
const mark = (name: string) => async (_req: Request, ctx: FreshContext<State>) => {
  ctx.state.trail = [...(ctx.state.trail ?? []), name];
  return await ctx.next();
};

/** A layout that wraps the page in `<div class={name}>`. */
const wrap = (name: string) => ({
  default: ({ Component }: LayoutProps) => (
    <div class={name}>
      <Component />
    </div>
  ),
});

const trail = ({ state }: PageProps<unknown, State>) => <p>{state.trail.join("/")}</p>;

const manifest: Manifest = {
  routes: {
    "./routes/_app.tsx": {
      default: ({ Component }: LayoutProps) => (
        <main>
          <Component />
        </main>
      ),
    },
    "./routes/_middleware.ts": { handler: mark("root") },
    "./routes/_layout.tsx": wrap("outer"),
    "./routes/index.tsx": { default: trail },
    "./routes/(app)/_middleware.ts": {
      handler: [mark("app-1"), async (req: Request, ctx: FreshContext<State>) => {
        if (new URL(req.url).searchParams.has("stop")) return ctx.redirect("/", 302);
        ctx.state.trail.push("app-2");
        return await ctx.next();
      }],
    },
    "./routes/(app)/_layout.tsx": wrap("app"),
    "./routes/(app)/inside.tsx": { default: trail },
    "./routes/any.tsx": {
      handler: (_req: Request, ctx: FreshContext<State>) => ctx.render(undefined, { status: 200 }),
      default: ({ url }: PageProps) => <p>{url.pathname}</p>,
    },
  },
  islands: {},
};

const body = async (res: Response) => (await res.text()).replace("<!DOCTYPE html>", "");

Deno.test("middleware runs outermost first for the pages below it, sharing ctx.state", async () => {
  using app = await createPagesTestApp(manifest);
  assert.match(await body(await app.request("/inside")), /<p>root\/app-1\/app-2<\/p>/);
  // A group's middleware runs only for the group's own pages.
  assert.match(await body(await app.request("/")), /<p>root<\/p>/);
});

Deno.test("a middleware answers instead of going on with ctx.next()", async () => {
  using app = await createPagesTestApp(manifest);
  const res = await app.request("/inside?stop");
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("Location"), "/");
});

Deno.test("layouts wrap the pages below them, outermost first, inside _app", async () => {
  using app = await createPagesTestApp(manifest);
  assert.equal(
    await body(await app.request("/inside")),
    '<main><div class="outer"><div class="app"><p>root/app-1/app-2</p></div></div></main>',
  );
});

Deno.test("a handler exported as one function answers every method", async () => {
  using app = await createPagesTestApp(manifest);
  for (const method of ["GET", "POST", "DELETE"]) {
    const res = await app.request("/any", { method });
    assert.equal(res.status, 200, method);
    assert.match(await res.text(), /<p>\/any<\/p>/);
  }
});
