import type { Handlers, RouteConfig } from "../lib/pages/mod.ts";

export const config: RouteConfig = { user: "skip" };

export const handler: Handlers = {
  GET: (ctx) => ctx.redirect("/todoapp", 302),
};
