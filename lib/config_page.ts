/**
 * What a misconfigured deployment serves instead of the app. Locally a bad configuration stops
 * start-up; on Deno Deploy a process that exits only shows the platform's generic error, so
 * the server answers every request with 503 and a page naming each problem instead.
 */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * A handler answering 503 with `problems` (config messages: they name variables and never
 * echo secrets): an HTML page for browsers, `{error}` JSON for everything else.
 */
export function misconfiguredHandler(problems: string[]): (req: Request) => Response {
  const message = `The server is not configured correctly: ${problems.join(" ")}`;
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>Configuration needed</title></head><body><main>` +
    `<h1>This deployment is not configured yet</h1>` +
    `<p>The server found these problems in its environment variables:</p><ul>` +
    problems.map((problem) => `<li>${escapeHtml(problem)}</li>`).join("") +
    `</ul><p>Set them in the deployment's settings (see <code>.env.example</code> and the ` +
    `README), then redeploy.</p></main></body></html>`;
  const headers = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  };
  return (req) => {
    if ((req.headers.get("Accept") ?? "").includes("text/html")) {
      return new Response(html, {
        status: 503,
        headers: { ...headers, "Content-Type": "text/html; charset=utf-8" },
      });
    }
    return Response.json({ error: { code: "misconfigured", message } }, { status: 503, headers });
  };
}
