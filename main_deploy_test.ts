/**
 * main.ts started the way Deno Deploy starts it: `DENO_DEPLOYMENT_ID` set, no `KV_PATH` (the
 * default `Deno.openKv()`, which Deploy connects to the app's assigned database), no `.env`,
 * no write permission and no runtime flags on the command line. Stytch is a loopback stand-in
 * served over https with a throwaway CA trusted through `DENO_CERT` (Deploy requires https for
 * `STYTCH_DOMAIN`). It must start, answer `/` and `/login`, keep the local-only features off,
 * and serve an MCP call whose token it checks against the stand-in.
 */
import assert from "node:assert/strict";
import { startTestIssuer, type TestIssuer } from "./lib/testing/issuer.ts";
import { accessTokenClaims, sessionClaims, stytchEnv } from "./lib/testing/stytch_mode.ts";
import { LOOPBACK_CA_FILE, LOOPBACK_TLS } from "./lib/testing/stytch_api.ts";
import { denoEnv, freePort } from "./lib/testing/main_process.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const PUBLIC_URL = "https://todos.example.deno.net";

/** An https front on loopback for `issuer` (which serves plain http). */
function serveOverTls(issuer: TestIssuer, tls: { cert: string; key: string }) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, ...tls, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.bytes();
    return await fetch(new URL(url.pathname + url.search, issuer.origin), {
      method: req.method,
      headers: req.headers,
      body,
    });
  });
}

/** Starts main.ts as Deploy would and resolves with its origin once it listens. */
async function startLikeDeploy(cwd: string, env: Record<string, string>) {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", MAIN],
    cwd,
    clearEnv: true,
    env: {
      ...denoEnv(),
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let output = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
  };
  const done = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const deadline = Date.now() + 30_000;
  while (!output.includes("Todo app (") && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      child.kill("SIGINT"); // what Deploy sends before it stops an instance
      await child.status;
      await done;
    },
  };
}

Deno.test("main.ts runs as on Deno Deploy: no KV_PATH, no write permission, Stytch over https", async () => {
  const cwd = await Deno.makeTempDir(); // no .env here, as in a clean checkout on Deploy
  const issuer = await startTestIssuer();
  const stytch = serveOverTls(issuer, LOOPBACK_TLS);
  const domain = `https://127.0.0.1:${stytch.addr.port}`;
  const app = await startLikeDeploy(cwd, {
    ...stytchEnv({ origin: domain }),
    DENO_DEPLOYMENT_ID: "test-deployment",
    PUBLIC_URL,
    DENO_CERT: LOOPBACK_CA_FILE,
  });
  try {
    assert.match(app.output(), /Todo app \(Stytch sign-in\) on .*public at https:\/\/todos/);

    const home = await fetch(`${app.origin}/`);
    assert.equal(home.status, 200);
    assert.match(home.headers.get("Content-Type")!, /text\/html/);
    await home.body?.cancel();

    const login = await fetch(`${app.origin}/login`);
    assert.equal(login.status, 200);
    const html = await login.text();
    assert.match(
      html,
      /\/_islands\/StytchLogin-[0-9a-f]+\.js/,
      "the build's Stytch sign-in island",
    );
    assert.doesNotMatch(html, /name="email"/, "no built-in email form");

    // Local-only features are off: the email sign-in and the built-in OAuth server.
    const form = await fetch(`${app.origin}/login`, {
      method: "POST",
      headers: { Origin: PUBLIC_URL, "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=ada%40example.com",
    });
    assert.equal(form.status, 404);
    await form.body?.cancel();
    for (const path of ["/oauth/token", "/oauth/register"]) {
      const response = await fetch(`${app.origin}${path}`, { method: "POST" });
      assert.equal(response.status, 404, path);
      await response.body?.cancel();
    }
    const prm = await fetch(`${app.origin}/.well-known/oauth-protected-resource/mcp`);
    const metadata = await prm.json();
    assert.equal(metadata.resource, `${PUBLIC_URL}/mcp`);
    assert.deepEqual(metadata.authorization_servers, [domain]);

    // A Connected Apps token checked over https (JWKS and introspection) reaches KV.
    const token = await issuer.sign(accessTokenClaims({ origin: domain }));
    const call = await fetch(`${app.origin}/mcp`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "listTodos", arguments: {} },
      }),
    });
    assert.equal(call.status, 200, await call.clone().text());
    assert.equal((await call.json()).result.isError, undefined);
    assert.equal(issuer.connectedApps.introspections, 1);

    // The page's live list: the event stream opens with the list and ends when the client goes.
    const session = await issuer.sign(sessionClaims({ origin: domain }));
    const events = await fetch(`${app.origin}/api/todos/events`, {
      headers: { Cookie: `stytch_session_jwt=${session}` },
    });
    assert.equal(events.status, 200);
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    let stream = "";
    while (!stream.includes("event: todos")) stream += (await reader.read()).value ?? "";
    await reader.cancel();
  } finally {
    await app.stop();
    await stytch.shutdown();
    await issuer.close();
  }
  const left = [...Deno.readDirSync(cwd)].map((entry) => entry.name);
  await Deno.remove(cwd, { recursive: true });
  assert.deepEqual(left, [], "nothing written to the working directory");
  assert.doesNotMatch(app.output(), /error|at .*\.ts:\d+/i, app.output());
});
