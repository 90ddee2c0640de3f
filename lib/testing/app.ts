/** Builds a real app over an in-memory KV for in-process tests (`app.fetch`). */
import { createApp } from "../app.ts";
import { type Config, parseConfig } from "../config.ts";
import type { Tuning } from "../tuning.ts";
import type { IdentityProvider, User } from "../auth/identity.ts";
import { createIdentityProvider } from "../identity_provider.ts";
import type { Deps } from "../http/context.ts";
import type { DocumentFetcher } from "../oauth/client_id_documents.ts";
import { LOCAL_SESSION_COOKIE } from "../auth/local.ts";
import { createSession, findOrCreateLocalUser, normalizeEmail } from "../auth/local_sessions.ts";
import { settleSigningKeys } from "../oauth/store/signing_keys.ts";
import { signingKeyRecord } from "../oauth/key_rotation.ts";
import { takeTestRsaKey } from "./rsa_keys.ts";

export const TEST_ORIGIN = "http://localhost:8000";

export interface TestApp extends Disposable {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  kv: Deno.Kv;
  config: Config;
  /** `app.fetch` with a path or URL relative to {@linkcode TEST_ORIGIN}. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Starts a local session for `email` (as `POST /login` does) and returns the `Cookie` header value. */
  signIn(email: string): Promise<string>;
}

/** Tuning values to run a test app with, each section merged over lib/tuning.ts's. */
export type TuningOverrides = {
  [K in keyof Tuning]?: Tuning[K] extends object ? Partial<Tuning[K]> : Tuning[K];
};

/** `config` with `overrides` merged over its tuning (small caps, short heartbeats). */
export function withTuning(config: Config, overrides: TuningOverrides = {}): Config {
  return {
    ...config,
    rateLimits: { ...config.rateLimits, ...overrides.rateLimits },
    live: { ...config.live, ...overrides.live },
    tokens: { ...config.tokens, ...overrides.tokens },
  };
}

/**
 * Starts an app over `:memory:` KV (or `kvPath`); `env` is parsed like the real environment, and
 * `tuning` replaces tuning values as a test needs. The KV holds a signing key made just now, as a
 * restarted app finds its own (lib/oauth/key_rotation_test.ts removes it to start afresh).
 */
export async function createTestApp(options: {
  env?: Record<string, string>;
  tuning?: TuningOverrides;
  identity?: (config: Config, kv: Deno.Kv) => IdentityProvider | Promise<IdentityProvider>;
  /** Fetches OAuth Client ID Metadata Documents instead of the network (see `Deps`). */
  documentFetcher?: DocumentFetcher;
  /** A KV file instead of `:memory:`: a second handle on it acts as another process. */
  kvPath?: string;
} = {}): Promise<TestApp> {
  const config = withTuning(parseConfig(options.env ?? {}), options.tuning);
  const kv = await Deno.openKv(options.kvPath ?? ":memory:");
  await storeTestSigningKey(kv);
  const identity = await (options.identity ?? createIdentityProvider)(config, kv);
  const deps: Deps = { config, kv, identity, documentFetcher: options.documentFetcher };
  const app = createApp(deps);
  const request = (path: string, init?: RequestInit) =>
    Promise.resolve(app.fetch(new Request(new URL(path, TEST_ORIGIN), init)));
  return {
    app,
    deps,
    kv,
    config,
    request,
    async signIn(email) {
      const { id, email: normalized } = await findOrCreateLocalUser(kv, normalizeEmail(email));
      // Not pending: its first request then writes nothing (tests count what requests store).
      return `${LOCAL_SESSION_COOKIE}=${await createSession(kv, { id, email: normalized })}`;
    },
    [Symbol.dispose]() {
      kv.close();
    },
  };
}

/** Stores a pool key (lib/testing/rsa_keys.ts) as the app's access token signing key. */
async function storeTestSigningKey(kv: Deno.Kv): Promise<void> {
  const { privateJwk, publicJwk } = await takeTestRsaKey();
  await settleSigningKeys(
    kv,
    () => false,
    () => Promise.resolve(signingKeyRecord(privateJwk, publicJwk, Date.now())),
  );
}

/** The user `identity` finds signed in on `req` (its session's `user`), for tests. */
export async function sessionUser(identity: IdentityProvider, req: Request): Promise<User | null> {
  return (await identity.getSession(req)).user;
}
