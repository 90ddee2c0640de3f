/**
 * The page surface's errors: what a page route throws, and a path no route answers, become
 * `routes/_500.tsx` and `routes/_404.tsx` for browsers, the app's plain JSON answer for other
 * clients. Status, message and headers come from the error family (`toAppError` and
 * `errorHeaders`, lib/http/errors.ts): an `AppError` keeps its status and message; anything
 * else was logged there and is a 500 that names only the request id.
 */
import type { Context } from "hono";
import { h } from "preact";
import { errorHeaders, jsonErrorResponse, jsonNotFound, toAppError } from "../http/errors.ts";
import type { AppEnv } from "../http/context.ts";
import { createContext, htmlResponse, runMiddlewares } from "./context.ts";
import { renderPage } from "./render.ts";
import type { Route, RouteTable } from "./route_table.ts";
import type { ErrorPageProps } from "./types.ts";

/** True for requests a person's browser makes for a page (`Accept: text/html`). */
function wantsHtml(req: Request): boolean {
  return (req.headers.get("Accept") ?? "").includes("text/html");
}

/** The error page of a manifest without `routes/_500.tsx`. */
function DefaultErrorPage({ error }: ErrorPageProps) {
  const { status, message } = error as { status: number; message: string };
  return h("main", null, h("h1", null, `Error ${status}`), h("p", null, message));
}

/** The answer to `error`, thrown while `route` handled the request (state as far as it got). */
export function errorResponse(
  c: Context<AppEnv>,
  error: unknown,
  table: RouteTable,
  route: Pick<Route, "pattern">,
  state: Record<string, unknown> = {},
): Response {
  const known = toAppError(error, c);
  if (!wantsHtml(c.req.raw)) return jsonErrorResponse(known, c);
  const props: ErrorPageProps = {
    error: known,
    pattern: route.pattern,
    data: undefined,
    url: new URL(c.req.url),
    route: route.pattern,
    params: c.req.param() as Record<string, string>,
    state,
  };
  const html = renderPage(table.app, [], table.errorPage ?? DefaultErrorPage, props);
  return htmlResponse(c, html, {
    status: known.status,
    headers: { ...errorHeaders(known), "Cache-Control": "no-store" },
  });
}

/**
 * A path no route or static file answers: `_404` (after the root folder's middleware) for
 * browsers, the plain JSON 404 otherwise.
 */
export async function notFoundResponse(c: Context<AppEnv>, table: RouteTable): Promise<Response> {
  if (!wantsHtml(c.req.raw)) return jsonNotFound(c);
  const ctx = createContext(c, table.notFound, table);
  try {
    return await runMiddlewares(ctx, table.notFound.middlewares, () => ctx.renderNotFound());
  } catch (error) {
    return errorResponse(c, error, table, table.notFound, ctx.state);
  }
}
