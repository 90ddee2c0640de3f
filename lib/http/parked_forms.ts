/**
 * Page forms kept over sign-in. A form posted from a page whose session has ended (add,
 * complete, edit, delete, undo, ... without JavaScript) is parked in KV for ten minutes, and
 * sign-in returns to the page with `?resume=1`, where the signed-in pages' middleware replays
 * it once through the page's own POST handler (routes/(app)/_middleware.ts). A form post that
 * meets an identity outage is parked the same way, and the outage page's "Try again" resumes
 * it. Anyone signed out can park, so parking is rate limited per client address, bounded in
 * size, and expires.
 *
 * Binding: the parked form's reference lives only in an HttpOnly, SameSite=Lax cookie of the
 * browser that posted it, never in a URL. A resume link carries no reference, so nobody can
 * park a form (say, "delete this todo") and then send someone a link that replays it as that
 * person once they sign in: only the browser that posted the form holds its cookie. HttpOnly
 * keeps page scripts from reading the cookie; SameSite=Lax keeps other sites' posts from
 * sending it (they are refused anyway); and a resume reached from another site replays nothing.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { sha256Hex } from "../auth/local_sessions.ts";
import type { AppEnv } from "./context.ts";
import { parkForm, takeParkedForm } from "./parked_form_store.ts";
import { clientLimit, enforceRateLimit } from "./rate_limit.ts";
import { loginUrl } from "./return_to.ts";

export const PARKED_FORM_COOKIE = "parked_form";
export const PARKED_FORM_TTL_MS = 10 * 60 * 1000;
/** Largest form kept, names and values together (a todo's text is at most 500 characters). */
export const MAX_PARKED_FORM_CHARS = 16 * 1024;
/** The query parameter that marks a return from sign-in with a parked form to replay. */
export const RESUME_PARAM = "resume";

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The sign-in URL for a form post from a signed-out page: it returns to the page that resumes
 * the form when the form could be parked ({@linkcode parkFormPost}), else to the page as it is.
 */
export async function parkFormForSignIn(
  c: Context<AppEnv>,
  req: Request,
  url: URL,
  now = Date.now(),
): Promise<string> {
  const resume = await parkFormPost(c, req, url, now);
  return loginUrl(resume ? new URL(resume, url) : url);
}

/**
 * Parks a form post that can be kept (text fields only, at most
 * {@linkcode MAX_PARKED_FORM_CHARS}), bound to this browser by a cookie, and returns the page
 * path that resumes it (`?resume=1`); `null` when it cannot be kept. Counts against the
 * client's `formParking` limit (throws `TooManyRequestsError`).
 */
export async function parkFormPost(
  c: Context<AppEnv>,
  req: Request,
  url: URL,
  now = Date.now(),
): Promise<string | null> {
  const fields = await keepableFields(req);
  if (!fields) return null;
  const { kv } = c.var.deps;
  await enforceRateLimit(kv, clientLimit(c, "formParking"), now);
  const secret = crypto.getRandomValues(new Uint8Array(32))
    .toBase64({ alphabet: "base64url", omitPadding: true });
  const path = url.pathname + url.search;
  const key = await sha256Hex(secret);
  await parkForm(kv, key, { path, fields, expiresAt: now + PARKED_FORM_TTL_MS }, now);
  setCookie(c, PARKED_FORM_COOKIE, secret, {
    httpOnly: true,
    sameSite: "Lax",
    secure: c.var.origin.startsWith("https:"),
    path: "/",
    maxAge: PARKED_FORM_TTL_MS / 1000,
  });
  return `${path}${url.search ? "&" : "?"}${RESUME_PARAM}=1`;
}

/**
 * For a signed-in GET back from sign-in (`?resume=1`) to the page a form was parked from:
 * that form as the POST request to replay, taken from KV so it runs once; else `null`. The
 * cookie is cleared either way. A navigation from another site (`Sec-Fetch-Site`) replays nothing.
 */
export async function takeFormToResume(
  c: Context<AppEnv>,
  req: Request,
  url: URL,
  now = Date.now(),
): Promise<Request | null> {
  if (req.method !== "GET" || !url.searchParams.has(RESUME_PARAM)) return null;
  const site = req.headers.get("Sec-Fetch-Site");
  if (site === "cross-site" || site === "same-site") return null;
  const secret = getCookie(c, PARKED_FORM_COOKIE);
  if (secret === undefined) return null;
  deleteCookie(c, PARKED_FORM_COOKIE, { path: "/", secure: c.var.origin.startsWith("https:") });
  if (!SECRET_SHAPE.test(secret)) return null;
  const form = await takeParkedForm(c.var.deps.kv, await sha256Hex(secret), now);
  if (!form) return null;
  const target = new URL(form.path, url);
  if (target.pathname !== url.pathname) return null;
  return new Request(target, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
      Cookie: req.headers.get("Cookie") ?? "",
    },
    body: new URLSearchParams(form.fields),
  });
}

/** The text fields of a form post, or `null` when it is not one or is too large to keep. */
async function keepableFields(req: Request): Promise<[string, string][] | null> {
  if (!FORM_TYPES.test(req.headers.get("Content-Type") ?? "")) return null;
  const form = await req.formData().catch(() => null);
  if (!form) return null;
  const fields: [string, string][] = [];
  let size = 0;
  for (const [name, value] of form) {
    if (typeof value !== "string") return null;
    size += name.length + value.length;
    if (size > MAX_PARKED_FORM_CHARS) return null;
    fields.push([name, value]);
  }
  return fields;
}
