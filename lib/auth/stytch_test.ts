import { sessionUser } from "../testing/app.ts";
import assert from "node:assert/strict";
import { exportSPKI, importJWK, type JWK, SignJWT } from "jose";
import { ServiceUnavailableError } from "../errors.ts";
import { startTestIssuer, type TestIssuer } from "../testing/issuer.ts";
import {
  accessTokenClaims,
  sessionClaims,
  stytchEnv,
  TEST_PROJECT_ID,
  TEST_USER_ID,
} from "../testing/stytch_mode.ts";
import { parseConfig, type StytchConfig } from "../config.ts";
import { InvalidTokenError } from "./jwt.ts";
import { createStytchIdentity, STYTCH_SESSION_COOKIE } from "./stytch.ts";
import type { IdentityProvider } from "./identity.ts";

const TIMEOUT_MS = 400;

function configFor(issuer: TestIssuer): StytchConfig {
  return parseConfig(stytchEnv(issuer)).stytch!;
}

/** A browser request carrying `token` as the Stytch session cookie. */
function withSession(token: string): Request {
  return new Request("http://localhost:8000/todoapp", {
    headers: { Cookie: `other=1; ${STYTCH_SESSION_COOKIE}=${token}` },
  });
}

async function withIssuer(
  fn: (issuer: TestIssuer, identity: IdentityProvider) => Promise<void>,
  options: { refetchIntervalMs?: number } = {},
) {
  const issuer = await startTestIssuer();
  try {
    const identity = createStytchIdentity(configFor(issuer), { timeoutMs: TIMEOUT_MS, ...options });
    await fn(issuer, identity);
  } finally {
    await issuer.close();
  }
}

function b64url(value: unknown): string {
  return new TextEncoder().encode(JSON.stringify(value))
    .toBase64({ alphabet: "base64url", omitPadding: true });
}

async function currentPublicJwk(issuer: TestIssuer): Promise<JWK> {
  const res = await fetch(`${issuer.origin}/.well-known/jwks.json`);
  const { keys } = await res.json() as { keys: JWK[] };
  return keys[keys.length - 1];
}

Deno.test("a valid session JWT yields its subject and email", async () => {
  await withIssuer(async (issuer, identity) => {
    const token = await issuer.sign(sessionClaims(issuer));
    const user = await sessionUser(identity, withSession(token));
    assert.deepEqual(user, { id: TEST_USER_ID, email: "ada@example.com" });
  });
});

Deno.test("a session JWT with the stytch.com/<project> issuer form is accepted", async () => {
  await withIssuer(async (issuer, identity) => {
    const token = await issuer.sign(
      sessionClaims(issuer, { iss: `stytch.com/${TEST_PROJECT_ID}` }),
    );
    assert.equal((await sessionUser(identity, withSession(token)))?.id, TEST_USER_ID);
  });
});

Deno.test("a session signed in by Google (no email factor) has no email", async () => {
  await withIssuer(async (issuer, identity) => {
    const claims = sessionClaims(issuer);
    const session = claims["https://stytch.com/session"] as Record<string, unknown>;
    session.authentication_factors = [{ type: "oauth", delivery_method: "oauth_google" }];
    const user = await sessionUser(identity, withSession(await issuer.sign(claims)));
    assert.deepEqual(user, { id: TEST_USER_ID, email: null });
  });
});

Deno.test("no session cookie means no user, without fetching keys", async () => {
  await withIssuer(async (issuer, identity) => {
    assert.equal(await sessionUser(identity, new Request("http://localhost:8000/")), null);
    assert.equal(issuer.jwksFetches, 0);
  });
});

Deno.test("an expired session JWT, even within the clock tolerance, asks Stytch once; an ended session clears both cookies", async () => {
  await withIssuer(async (issuer, identity) => {
    const lapsed = await issuer.sign(sessionClaims(issuer), { expiresIn: -30 });
    const session = await identity.getSession(withSession(lapsed));
    assert.equal(session.user, null);
    assert.equal(
      issuer.api.calls.authenticate,
      1,
      "renewal asked Stytch, which knows no such session",
    );
    assert.deepEqual(session.setCookies.map((c) => c.split(";")[0]), [
      "stytch_session=",
      "stytch_session_jwt=",
    ]);
  });
});

Deno.test("a session JWT without exp is rejected", async () => {
  await withIssuer(async (issuer, identity) => {
    const token = await issuer.sign(sessionClaims(issuer, { exp: undefined }));
    assert.equal(await sessionUser(identity, withSession(token)), null);
  });
});

Deno.test("a session JWT that is not yet valid is rejected", async () => {
  await withIssuer(async (issuer, identity) => {
    const token = await issuer.sign(sessionClaims(issuer), { notBeforeIn: 120 });
    assert.equal(await sessionUser(identity, withSession(token)), null);
  });
});

Deno.test("a session JWT from another issuer is rejected", async () => {
  await withIssuer(async (issuer, identity) => {
    for (
      const iss of ["https://evil.example", "stytch.com/project-test-other", `${issuer.origin}/`]
    ) {
      const token = await issuer.sign(sessionClaims(issuer, { iss }));
      assert.equal(await sessionUser(identity, withSession(token)), null, iss);
    }
  });
});

Deno.test("a session JWT for another project (audience) is rejected", async () => {
  await withIssuer(async (issuer, identity) => {
    const token = await issuer.sign(
      sessionClaims(issuer, { aud: ["project-test-00000000-0000-4000-8000-00000000ffff"] }),
    );
    assert.equal(await sessionUser(identity, withSession(token)), null);
  });
});

Deno.test("an unsigned (alg none) session JWT is rejected without fetching keys", async () => {
  await withIssuer(async (issuer, identity) => {
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64url({ alg: "none", typ: "JWT" })}.${
      b64url({ ...sessionClaims(issuer), iat: now, exp: now + 600 })
    }.`;
    assert.equal(await sessionUser(identity, withSession(token)), null);
    assert.equal(issuer.jwksFetches, 0);
  });
});

Deno.test("an HS256 token keyed with the issuer's public key is rejected", async () => {
  await withIssuer(async (issuer, identity) => {
    const jwk = await currentPublicJwk(issuer);
    const rsa = { ...jwk, kty: "RSA" as const };
    const pem = await exportSPKI(await importJWK(rsa, "RS256", { extractable: true }));
    for (const secret of [pem, JSON.stringify(jwk)]) {
      const token = await new SignJWT(sessionClaims(issuer))
        .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: jwk.kid })
        .setIssuedAt().setExpirationTime("10m")
        .sign(new TextEncoder().encode(secret));
      assert.equal(await sessionUser(identity, withSession(token)), null);
    }
  });
});

Deno.test("a Connected Apps access token presented as the session cookie is rejected", async () => {
  await withIssuer(async (issuer, identity) => {
    const token = await issuer.sign(accessTokenClaims(issuer));
    assert.equal(await sessionUser(identity, withSession(token)), null);
  });
});

Deno.test("a valid Connected Apps access token yields its user, scopes and client", async () => {
  await withIssuer(async (issuer, identity) => {
    const claims = accessTokenClaims(issuer);
    const grant = await identity.verifyAccessToken(
      await issuer.sign(claims),
      "http://localhost:8000/mcp",
    );
    assert.deepEqual(grant, {
      userId: TEST_USER_ID,
      scopes: ["openid", "read:todos", "write:todos"],
      clientId: claims.client_id,
    });
  });
});

Deno.test("an access token bound to this server's MCP URL (RFC 8707) is accepted", async () => {
  await withIssuer(async (issuer, identity) => {
    const token = await issuer.sign(
      accessTokenClaims(issuer, { aud: ["http://localhost:8000/mcp"] }),
    );
    const grant = await identity.verifyAccessToken(token, "http://localhost:8000/mcp");
    assert.equal(grant.userId, TEST_USER_ID);
    await assert.rejects(
      identity.verifyAccessToken(token, "https://todo.example/mcp"),
      InvalidTokenError,
    );
  });
});

Deno.test("a session JWT is not accepted as an access token", async () => {
  await withIssuer(async (issuer, identity) => {
    const token = await issuer.sign(sessionClaims(issuer));
    await assert.rejects(
      identity.verifyAccessToken(token, "http://localhost:8000/mcp"),
      InvalidTokenError,
    );
  });
});

Deno.test("access tokens without a client (M2M) or scope, or for another project, are rejected", async () => {
  await withIssuer(async (issuer, identity) => {
    const bad = [
      accessTokenClaims(issuer, { client_id: undefined, sub: "m2m-client-test-1" }),
      accessTokenClaims(issuer, { scope: undefined }),
      accessTokenClaims(issuer, { aud: ["https://other.example/mcp"] }),
      accessTokenClaims(issuer, { iss: "https://evil.example" }),
    ];
    for (const claims of bad) {
      await assert.rejects(
        identity.verifyAccessToken(await issuer.sign(claims), "http://localhost:8000/mcp"),
        InvalidTokenError,
        JSON.stringify(claims),
      );
    }
    const expired = await issuer.sign(accessTokenClaims(issuer), { expiresIn: -120 });
    await assert.rejects(identity.verifyAccessToken(expired, "x"), InvalidTokenError);
  });
});

Deno.test("when the JWKS host answers errors, session checks fail with 503", async () => {
  await withIssuer(async (issuer, identity) => {
    issuer.setMode("down");
    const token = await issuer.sign(sessionClaims(issuer));
    await assert.rejects(sessionUser(identity, withSession(token)), ServiceUnavailableError);
    await assert.rejects(identity.verifyAccessToken(token, "x"), ServiceUnavailableError);
    issuer.setMode("up");
    assert.ok(await sessionUser(identity, withSession(token)));
  });
});

Deno.test("when the JWKS host hangs, session checks fail with 503 in bounded time", async () => {
  await withIssuer(async (issuer, identity) => {
    issuer.setMode("hang");
    const token = await issuer.sign(sessionClaims(issuer));
    const started = performance.now();
    await assert.rejects(sessionUser(identity, withSession(token)), ServiceUnavailableError);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= TIMEOUT_MS - 50 && elapsed < TIMEOUT_MS + 1500, `${elapsed} ms`);
  });
});

Deno.test("when nothing listens at the JWKS host, session checks fail with 503", async () => {
  const issuer = await startTestIssuer();
  const token = await issuer.sign(sessionClaims(issuer));
  const config = configFor(issuer);
  await issuer.close();
  const identity = createStytchIdentity(config, { timeoutMs: TIMEOUT_MS });
  await assert.rejects(sessionUser(identity, withSession(token)), ServiceUnavailableError);
});

Deno.test("Stytch signs people in from the browser, and is the authorization server", async () => {
  await withIssuer((issuer, identity) => {
    assert.equal(identity.authorizationServer("http://localhost:8000"), issuer.origin);
    assert.equal(identity.hostsAuthorizationServer, false);
    assert.equal(identity.formSignIn, undefined);
    assert.equal(identity.browserSignIn?.publicConfig.domain, issuer.origin);
    assert.equal(identity.browserSignIn?.sdkOrigin, `https://${new URL(issuer.origin).hostname}`);
    assert.ok(!JSON.stringify(identity.browserSignIn).includes("secret"));
    return Promise.resolve();
  });
});

Deno.test("authorization-server metadata is Stytch's, relayed once, with the app's consent page", async () => {
  await withIssuer(async (issuer, identity) => {
    const first = await identity.authorizationServerMetadata("https://todo.example");
    assert.equal(first.issuer, issuer.origin);
    assert.equal(first.token_endpoint, `${issuer.origin}/v1/oauth2/token`);
    assert.equal(first.registration_endpoint, `${issuer.origin}/v1/oauth2/register`);
    assert.equal(first.authorization_endpoint, "https://todo.example/oauth/authorize");
    const second = await identity.authorizationServerMetadata("http://localhost:8000");
    assert.equal(second.authorization_endpoint, "http://localhost:8000/oauth/authorize");
    assert.equal(issuer.metadataFetches, 1);
  });
});

Deno.test("authorization-server metadata fails with 503 while Stytch is down, then recovers", async () => {
  await withIssuer(async (issuer, identity) => {
    issuer.setMode("down");
    await assert.rejects(
      identity.authorizationServerMetadata("http://localhost:8000"),
      ServiceUnavailableError,
    );
    issuer.setMode("up");
    const metadata = await identity.authorizationServerMetadata("http://localhost:8000");
    assert.equal(metadata.issuer, issuer.origin);
    assert.equal(issuer.metadataFetches, 2);
  });
});
