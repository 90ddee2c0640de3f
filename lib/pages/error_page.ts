import { asset } from "./assets.ts";
import { buildCsp } from "./csp.ts";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const TITLES: Record<number, string> = {
  400: "That didn't work",
  401: "Sign in required",
  403: "Not allowed",
  404: "Page not found",
  405: "Not allowed",
  413: "Too large",
  429: "Too many requests",
  503: "Temporarily unavailable",
};

/** A small, self-contained HTML error page (used by the app's error mapper for page requests). */
export function errorPageResponse(status: number, message: string): Response {
  const title = TITLES[status] ?? (status >= 500 ? "Something went wrong" : "That didn't work");
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)} · Todos</title><link rel="stylesheet" href="${
      asset("/styles.css")
    }">` +
    `</head><body><main class="card narrow error-page"><h1>${escapeHtml(title)}</h1>` +
    `<p>${escapeHtml(message)}</p><p><a href="/todoapp">Back to your todos</a></p>` +
    `</main></body></html>`;
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": buildCsp(),
      "Cache-Control": "no-store",
    },
  });
}

/** True for requests a person's browser makes for a page (not `/api`, `/mcp` or a JSON client). */
export function wantsHtml(req: Request): boolean {
  const path = new URL(req.url).pathname;
  if (/^\/(api|mcp)(\/|$)/.test(path)) return false;
  return (req.headers.get("Accept") ?? "").includes("text/html");
}
