import type { Handlers } from "../lib/pages/mod.ts";

export const handler: Handlers = {
  GET: (ctx) => ctx.redirect("/todoapp", 302),
};
