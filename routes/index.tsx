import type { Handlers, RouteConfig } from "../lib/pages/mod.ts";

export const config: RouteConfig = { user: "none" };

export const handler: Handlers = {
  GET: (ctx) => ctx.redirect("/todoapp", 302),
};
