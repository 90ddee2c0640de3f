/**
 * Stytch session renewal figures (`deno task bench:renewal`), in-process through `app.fetch`
 * against the loopback HTTPS sessions API stand-in (lib/testing/stytch_api.ts; not Stytch, so
 * the added latency is this server's and the SDK's share, without Stytch's network time):
 *
 * 1. Calls to Stytch per 100 `GET /api/todos` with a fresh session JWT.
 * 2. Latency a renewal adds: `GET /api/todos` with an expired JWT (one call to the stand-in)
 *    minus the same request with a fresh JWT, over 40 sessions: median and worst.
 *
 * Usage: DENO_CERT=lib/testing/tls/ca.pem deno run -A bench/stytch_renewal.ts
 */
import { startTestIssuer } from "../lib/testing/issuer.ts";
import { createTestApp } from "../lib/testing/app.ts";
import { cookieOf, stytchEnv } from "../lib/testing/stytch_mode.ts";

const SESSIONS = 40;

const issuer = await startTestIssuer();
try {
  using t = await createTestApp({ env: stytchEnv(issuer) });
  const timed = async (cookie: string) => {
    const started = performance.now();
    const res = await t.request("/api/todos", { headers: { Cookie: cookie } });
    await res.body?.cancel();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    return performance.now() - started;
  };

  const fresh = await issuer.api.startSession();
  for (let i = 0; i < 100; i++) await timed(cookieOf(fresh));
  console.log(
    `calls to Stytch per 100 requests with a fresh JWT: ${issuer.api.calls.authenticate}`,
  );

  // Warm-up: the SDK's first import and the first TLS connection are not per-renewal costs.
  await timed(cookieOf(await issuer.api.startSession({ jwtExpiresIn: -1 })));
  const freshMs: number[] = [];
  const renewMs: number[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const session = await issuer.api.startSession({ jwtExpiresIn: -1 });
    const other = await issuer.api.startSession();
    freshMs.push(await timed(cookieOf(other)));
    renewMs.push(await timed(cookieOf(session)));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const added = renewMs.map((ms, i) => ms - freshMs[i]);
  console.log(
    `request with a fresh JWT: median ${median(freshMs).toFixed(2)} ms; ` +
      `with a renewal: median ${median(renewMs).toFixed(2)} ms, worst ${
        Math.max(...renewMs).toFixed(2)
      } ms`,
  );
  console.log(
    `latency a renewal adds (loopback stand-in): median ${median(added).toFixed(2)} ms, ` +
      `worst ${Math.max(...added).toFixed(2)} ms over ${SESSIONS} renewals`,
  );
} finally {
  await issuer.close();
}
