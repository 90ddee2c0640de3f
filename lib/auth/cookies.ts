/** Reading a cookie from a raw `Request` (identity providers see requests, not Hono contexts). */
import { parse } from "hono/utils/cookie";

/** The value of cookie `name` in `req`, or `null` when it is absent. */
export function requestCookie(req: Request, name: string): string | null {
  const header = req.headers.get("Cookie");
  return header ? parse(header, name)[name] ?? null : null;
}
