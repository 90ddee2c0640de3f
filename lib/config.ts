import { z } from "zod";
import { isLoopbackHost, originUrl, scopeName, wholeNumber } from "./config_fields.ts";

export { isLoopbackHost };

/** Typed application configuration, parsed once at start-up from the environment. */
export interface Config {
  port: number;
  /**
   * Address to listen on (`HOSTNAME`). Local sign-in defaults to `127.0.0.1`: it is
   * password-less, so nobody else on the network may reach it.
   */
  hostname: string;
  /** Canonical origin of the app (no trailing slash), when `PUBLIC_URL` is set. */
  publicUrl: URL | null;
  /** Path or URL handed to `Deno.openKv`; `undefined` opens the platform default (Deno Deploy). */
  kvPath: string | undefined;
  /** True on Deno Deploy (`DENO_DEPLOYMENT_ID` set). */
  onDenoDeploy: boolean;
  /** Stytch settings; `null` selects the built-in local identity provider. */
  stytch: StytchConfig | null;
  mcp: McpConfig;
  /** Lifetimes of the built-in OAuth server's keys and tokens (local mode). */
  tokens: TokenConfig;
  /**
   * How many proxies in front of the app append to `X-Forwarded-For` (`TRUSTED_PROXY`);
   * 0 reads the client address from the connection only (lib/http/client_ip.ts).
   */
  trustedProxyHops: number;
  /** Limits on unauthenticated writes (lib/http/rate_limit.ts). */
  rateLimits: RateLimitConfig;
  /** Live sync streams (`/api/todos/events`, MCP `subscriptions/listen`; lib/live/). */
  live: LiveConfig;
  /** Most todos one isolate keeps in read lists (`LIST_CACHE_TODOS`; lib/todos/list_cache.ts). */
  listCacheTodos: number;
}

/** Caps and heartbeat of live streams, counted per isolate. */
export interface LiveConfig {
  /** Open streams one user may hold (`LIVE_MAX_STREAMS_PER_USER`). */
  maxStreamsPerUser: number;
  /** Open streams of everyone together (`LIVE_MAX_STREAMS`). */
  maxStreams: number;
  /** How often a stream sends a heartbeat and re-checks its session (`LIVE_HEARTBEAT_SECONDS`). */
  heartbeatMs: number;
}

/** Per-client-address limits on unauthenticated writes, and the cap on stored registrations. */
export interface RateLimitConfig {
  registrationsPerMinute: number;
  registrationsPerDay: number;
  signInsPerMinute: number;
  parkedRequestsPerMinute: number;
  /** Registrations accepted from everyone together per rolling day (unused ones live a day). */
  maxRegistrationsPerDay: number;
}

export interface TokenConfig {
  /** How long a signing key signs before a new one takes over (`OAUTH_KEY_ROTATION_DAYS`). */
  signingKeyRotationMs: number;
  /** How long a rotated refresh token may be presented again (`OAUTH_REFRESH_GRACE_SECONDS`). */
  refreshReuseGraceMs: number;
}

export interface StytchConfig {
  projectId: string;
  secret: string;
  publicToken: string;
  /** Project domain or custom domain, e.g. `https://xyz.customers.stytch.dev` (no trailing slash). */
  domain: URL;
  /**
   * Base URL of Stytch's backend API (`STYTCH_API_URL`), which the server calls to renew and
   * revoke sessions. Default as the `stytch` SDK picks it: `https://api.stytch.com` for a
   * `project-live-` ID, `https://test.stytch.com` otherwise.
   */
  apiUrl: URL;
}

export interface McpConfig {
  /** Scope a token needs for read tools and resources. */
  readScope: string;
  /** Scope a token needs for tools that change todos. */
  writeScope: string;
  /** Extra origins allowed to call `/mcp` from a browser, besides the app's own. */
  allowedOrigins: string[];
}

/** Thrown when the environment does not describe a runnable configuration. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const STYTCH_VARS = [
  "STYTCH_PROJECT_ID",
  "STYTCH_SECRET",
  "STYTCH_PUBLIC_TOKEN",
  "STYTCH_DOMAIN",
] as const;

const EnvSchema = z.object({
  PORT: z.string().trim().regex(/^\d{1,5}$/, { message: "PORT must be a port number" })
    .transform(Number).refine((n) => n > 0 && n < 65536, { message: "PORT must be 1-65535" })
    .optional(),
  HOSTNAME: z.string().trim().regex(/^(?:[A-Za-z0-9_.-]+|\[?[0-9A-Fa-f:.]+\]?)$/, {
    message:
      "HOSTNAME must be an IP address or a host name to listen on, e.g. 127.0.0.1 or 0.0.0.0",
  }).transform((value) => value.replace(/^\[(.*)\]$/, "$1")).optional(),
  PUBLIC_URL: originUrl("PUBLIC_URL").optional(),
  KV_PATH: z.string().trim().min(1).optional(),
  DENO_DEPLOYMENT_ID: z.string().optional(),
  STYTCH_PROJECT_ID: z.string().trim().regex(/^project-(test|live)-[0-9a-f-]{36}$/, {
    message: 'STYTCH_PROJECT_ID must look like "project-test-<uuid>" or "project-live-<uuid>"',
  }).optional(),
  STYTCH_SECRET: z.string().trim().regex(/^secret-(test|live)-\S{16,}$/, {
    message: 'STYTCH_SECRET must look like "secret-test-..." or "secret-live-..."',
  }).optional(),
  STYTCH_PUBLIC_TOKEN: z.string().trim().regex(/^public-token-(test|live)-[0-9a-f-]{36}$/, {
    message:
      'STYTCH_PUBLIC_TOKEN must look like "public-token-test-<uuid>" or "public-token-live-<uuid>"',
  }).optional(),
  STYTCH_DOMAIN: originUrl("STYTCH_DOMAIN").optional(),
  STYTCH_API_URL: originUrl("STYTCH_API_URL", { httpsOnly: true }).optional(),
  MCP_READ_SCOPE: scopeName("MCP_READ_SCOPE").default("read:todos"),
  MCP_WRITE_SCOPE: scopeName("MCP_WRITE_SCOPE").default("write:todos"),
  // At least a day, so the previous key outlives every token it signed (an hour each).
  OAUTH_KEY_ROTATION_DAYS: wholeNumber("OAUTH_KEY_ROTATION_DAYS", "days", 1, 365).default(30),
  OAUTH_REFRESH_GRACE_SECONDS: wholeNumber("OAUTH_REFRESH_GRACE_SECONDS", "seconds", 0, 60)
    .default(10),
  TRUSTED_PROXY: z.string().trim().regex(/^\d{1,2}$/, {
    message:
      "TRUSTED_PROXY must be the number of proxies in front of the app that append to X-Forwarded-For (0-10), e.g. 1",
  }).transform(Number).refine((n) => n <= 10, { message: "TRUSTED_PROXY must be 0-10" }).default(
    0,
  ),
  RATE_LIMIT_REGISTRATIONS_PER_MINUTE: wholeNumber(
    "RATE_LIMIT_REGISTRATIONS_PER_MINUTE",
    "requests",
    1,
    100_000,
  ).default(20),
  RATE_LIMIT_REGISTRATIONS_PER_DAY: wholeNumber(
    "RATE_LIMIT_REGISTRATIONS_PER_DAY",
    "requests",
    1,
    999_999,
  ).default(200),
  RATE_LIMIT_SIGN_INS_PER_MINUTE: wholeNumber(
    "RATE_LIMIT_SIGN_INS_PER_MINUTE",
    "requests",
    1,
    100_000,
  )
    .default(30),
  RATE_LIMIT_PARKED_REQUESTS_PER_MINUTE: wholeNumber(
    "RATE_LIMIT_PARKED_REQUESTS_PER_MINUTE",
    "requests",
    1,
    100_000,
  ).default(30),
  LIVE_MAX_STREAMS_PER_USER: wholeNumber("LIVE_MAX_STREAMS_PER_USER", "streams", 1, 1000)
    .default(10),
  LIVE_MAX_STREAMS: wholeNumber("LIVE_MAX_STREAMS", "streams", 1, 100_000).default(5000),
  LIVE_HEARTBEAT_SECONDS: wholeNumber("LIVE_HEARTBEAT_SECONDS", "seconds", 1, 300).default(20),
  LIST_CACHE_TODOS: wholeNumber("LIST_CACHE_TODOS", "todos", 0, 999_999).default(50_000),
  MAX_REGISTRATIONS_PER_DAY: wholeNumber("MAX_REGISTRATIONS_PER_DAY", "clients", 1, 999_999)
    .default(10_000),
  MCP_ALLOWED_ORIGINS: z.string().default("").transform((value, ctx) => {
    const origins: string[] = [];
    for (const item of value.split(",").map((s) => s.trim()).filter(Boolean)) {
      try {
        const url = new URL(item);
        if (url.origin === "null") throw new Error();
        origins.push(url.origin);
      } catch {
        ctx.addIssue({
          code: "custom",
          message: `MCP_ALLOWED_ORIGINS must be a comma-separated list of origins, got "${item}"`,
        });
      }
    }
    return origins;
  }),
});

/**
 * Problems a well-formed Stytch set can still have: values from different environments
 * (test/live), the API host given instead of the project domain, or a loopback stand-in
 * domain on Deno Deploy.
 */
function stytchConsistencyProblems(data: z.infer<typeof EnvSchema>, onDenoDeploy: boolean) {
  const problems: string[] = [];
  const envs = new Map<string, string>();
  for (const [name, value] of Object.entries(data)) {
    const env = typeof value === "string" && name.startsWith("STYTCH_")
      ? /^(?:project|secret|public-token)-(test|live)-/.exec(value)?.[1]
      : undefined;
    if (env) envs.set(name, env);
  }
  if (new Set(envs.values()).size > 1) {
    problems.push(
      `Stytch values come from different environments (${
        [...envs].map(([name, env]) => `${name} is ${env}`).join(", ")
      }): copy all of them from the same Test or Live project settings.`,
    );
  }
  const domain = data.STYTCH_DOMAIN;
  if (domain && /^(test|api|web)\.stytch\.com$/.test(domain.hostname)) {
    problems.push(
      `STYTCH_DOMAIN is Stytch's API host (${domain.origin}); use your project's domain ` +
        "(Project settings -> Project domain, e.g. https://<name>.customers.stytch.dev) " +
        "or your custom domain.",
    );
  }
  if (domain && onDenoDeploy && domain.protocol !== "https:") {
    problems.push("STYTCH_DOMAIN must use https on Deno Deploy.");
  }
  const api = data.STYTCH_API_URL;
  if (api && onDenoDeploy && isLoopbackHost(api.hostname)) {
    problems.push("STYTCH_API_URL names a loopback host, which Deno Deploy cannot reach.");
  }
  return problems;
}

/**
 * Messages echo some values to help (a URL that is not one), but never a secret: the
 * configured `STYTCH_SECRET` wherever it appears (e.g. pasted into `STYTCH_DOMAIN`), and
 * anything shaped like a Stytch secret.
 */
function hideSecrets(message: string, env: Record<string, string | undefined>): string {
  const secret = env.STYTCH_SECRET?.trim();
  let shown = secret && secret.length >= 8
    ? message.replaceAll(secret, "[STYTCH_SECRET]")
    : message;
  shown = shown.replace(/secret-(test|live)-[\w+/=-]{8,}/g, "secret-$1-[hidden]");
  return shown;
}

/** Stytch's API for a project, as the `stytch` SDK chooses it: live for `project-live-`, else test. */
export function defaultStytchApiUrl(projectId: string): URL {
  return new URL(
    projectId.startsWith("project-live-") ? "https://api.stytch.com" : "https://test.stytch.com",
  );
}

/** Parses the environment into a {@linkcode Config}, throwing a {@linkcode ConfigError} naming every problem. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const blankAsMissing = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ""),
  );
  const result = EnvSchema.safeParse(blankAsMissing);
  const problems = result.success ? [] : result.error.issues.map((issue) => issue.message);

  const present = STYTCH_VARS.filter((name) => blankAsMissing[name] !== undefined);
  const missing = STYTCH_VARS.filter((name) => blankAsMissing[name] === undefined);
  if (present.length > 0 && missing.length > 0) {
    problems.push(
      `Stytch is partly configured: ${present.join(", ")} set but ${missing.join(", ")} missing. ` +
        "Set all four to use Stytch, or none to use the built-in local sign-in.",
    );
  }
  if (present.length === 0 && blankAsMissing.STYTCH_API_URL !== undefined) {
    problems.push(
      `STYTCH_API_URL is set but Stytch is not configured: set ${STYTCH_VARS.join(", ")} too, ` +
        "or remove STYTCH_API_URL.",
    );
  }
  const onDenoDeploy = blankAsMissing.DENO_DEPLOYMENT_ID !== undefined;
  if (result.success) problems.push(...stytchConsistencyProblems(result.data, onDenoDeploy));
  if (onDenoDeploy && present.length === 0) {
    problems.push(
      `Deno Deploy requires Stytch: set ${STYTCH_VARS.join(", ")} ` +
        "(the built-in local sign-in is for development only).",
    );
  }
  if (onDenoDeploy && result.success && result.data.PUBLIC_URL?.protocol === "http:") {
    problems.push("PUBLIC_URL must use https on Deno Deploy.");
  }
  if (onDenoDeploy && blankAsMissing.PUBLIC_URL === undefined) {
    problems.push(
      "Deno Deploy requires PUBLIC_URL (the app's https origin): OAuth metadata and token " +
        "audiences must not be derived from request headers.",
    );
  }
  if (!result.success || problems.length > 0) {
    throw new ConfigError(problems.map((problem) => hideSecrets(problem, blankAsMissing)));
  }

  const data = result.data;
  return {
    port: data.PORT ?? 8000,
    hostname: data.HOSTNAME ?? (present.length === 0 ? "127.0.0.1" : "0.0.0.0"),
    publicUrl: data.PUBLIC_URL ?? null,
    kvPath: data.KV_PATH ?? (onDenoDeploy ? undefined : "./data/todos.sqlite3"),
    onDenoDeploy,
    stytch:
      data.STYTCH_PROJECT_ID && data.STYTCH_SECRET && data.STYTCH_PUBLIC_TOKEN && data.STYTCH_DOMAIN
        ? {
          projectId: data.STYTCH_PROJECT_ID,
          secret: data.STYTCH_SECRET,
          publicToken: data.STYTCH_PUBLIC_TOKEN,
          domain: data.STYTCH_DOMAIN,
          apiUrl: data.STYTCH_API_URL ?? defaultStytchApiUrl(data.STYTCH_PROJECT_ID),
        }
        : null,
    mcp: {
      readScope: data.MCP_READ_SCOPE,
      writeScope: data.MCP_WRITE_SCOPE,
      allowedOrigins: data.MCP_ALLOWED_ORIGINS,
    },
    tokens: {
      signingKeyRotationMs: data.OAUTH_KEY_ROTATION_DAYS * 24 * 60 * 60 * 1000,
      refreshReuseGraceMs: data.OAUTH_REFRESH_GRACE_SECONDS * 1000,
    },
    trustedProxyHops: data.TRUSTED_PROXY,
    rateLimits: {
      registrationsPerMinute: data.RATE_LIMIT_REGISTRATIONS_PER_MINUTE,
      registrationsPerDay: data.RATE_LIMIT_REGISTRATIONS_PER_DAY,
      signInsPerMinute: data.RATE_LIMIT_SIGN_INS_PER_MINUTE,
      parkedRequestsPerMinute: data.RATE_LIMIT_PARKED_REQUESTS_PER_MINUTE,
      maxRegistrationsPerDay: data.MAX_REGISTRATIONS_PER_DAY,
    },
    live: {
      maxStreamsPerUser: data.LIVE_MAX_STREAMS_PER_USER,
      maxStreams: data.LIVE_MAX_STREAMS,
      heartbeatMs: data.LIVE_HEARTBEAT_SECONDS * 1000,
    },
    listCacheTodos: data.LIST_CACHE_TODOS,
  };
}
