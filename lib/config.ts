import * as z from "zod/mini";
import { isLoopbackHost, originUrl } from "./config_fields.ts";
import { TUNING, type Tuning } from "./tuning.ts";

export { isLoopbackHost };

/**
 * Typed application configuration: the deployment's facts, parsed once at start-up from the
 * environment, and the tuning values of lib/tuning.ts (constants; tests pass others).
 */
export interface Config extends Tuning {
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
  /**
   * How many proxies in front of the app append to `X-Forwarded-For` (`TRUSTED_PROXY`);
   * 0 reads the client address from the connection only (lib/http/client_ip.ts).
   */
  trustedProxyHops: number;
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

/** Settings of `/mcp`; its scope names are lib/auth/todo_scopes.ts. */
export interface McpConfig {
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

/** A trimmed string matching `pattern`, or the issue `error`. */
const matching = (pattern: RegExp, error: string) =>
  z.string().check(z.trim(), z.regex(pattern, { error }));

const EnvSchema = z.object({
  PORT: z.optional(
    z.pipe(matching(/^\d{1,5}$/, "PORT must be a port number"), z.transform(Number))
      .check(z.refine((n) => n > 0 && n < 65536, { error: "PORT must be 1-65535" })),
  ),
  HOSTNAME: z.optional(z.pipe(
    matching(
      /^(?:[A-Za-z0-9_.-]+|\[?[0-9A-Fa-f:.]+\]?)$/,
      "HOSTNAME must be an IP address or a host name to listen on, e.g. 127.0.0.1 or 0.0.0.0",
    ),
    z.transform((value) => value.replace(/^\[(.*)\]$/, "$1")),
  )),
  PUBLIC_URL: z.optional(originUrl("PUBLIC_URL")),
  KV_PATH: z.optional(z.string().check(z.trim(), z.minLength(1))),
  DENO_DEPLOYMENT_ID: z.optional(z.string()),
  STYTCH_PROJECT_ID: z.optional(matching(
    /^project-(test|live)-[0-9a-f-]{36}$/,
    'STYTCH_PROJECT_ID must look like "project-test-<uuid>" or "project-live-<uuid>"',
  )),
  STYTCH_SECRET: z.optional(matching(
    /^secret-(test|live)-\S{16,}$/,
    'STYTCH_SECRET must look like "secret-test-..." or "secret-live-..."',
  )),
  STYTCH_PUBLIC_TOKEN: z.optional(matching(
    /^public-token-(test|live)-[0-9a-f-]{36}$/,
    'STYTCH_PUBLIC_TOKEN must look like "public-token-test-<uuid>" or "public-token-live-<uuid>"',
  )),
  STYTCH_DOMAIN: z.optional(originUrl("STYTCH_DOMAIN")),
  STYTCH_API_URL: z.optional(originUrl("STYTCH_API_URL", { httpsOnly: true })),
  TRUSTED_PROXY: z._default(
    z.pipe(
      matching(
        /^\d{1,2}$/,
        "TRUSTED_PROXY must be the number of proxies in front of the app that append to X-Forwarded-For (0-10), e.g. 1",
      ),
      z.transform(Number),
    ).check(z.refine((n) => n <= 10, { error: "TRUSTED_PROXY must be 0-10" })),
    0,
  ),
  MCP_ALLOWED_ORIGINS: z._default(
    z.pipe(
      z.string(),
      z.transform((value: string, ctx) => {
        const origins: string[] = [];
        for (const item of value.split(",").map((s) => s.trim()).filter(Boolean)) {
          try {
            const url = new URL(item);
            if (url.origin === "null") throw new Error();
            origins.push(url.origin);
          } catch {
            ctx.issues.push({
              code: "custom",
              input: item,
              message:
                `MCP_ALLOWED_ORIGINS must be a comma-separated list of origins, got "${item}"`,
            });
          }
        }
        return origins;
      }),
    ),
    [],
  ),
});

/** Every environment variable the app reads, as {@linkcode parseConfig} declares them. */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(EnvSchema.shape));

/**
 * Variables with this app's prefixes (`STYTCH_`, `MCP_`) that {@linkcode parseConfig} does not
 * read: a misspelt name, or a setting the app no longer has. Start-up warns so it is not ignored
 * silently.
 */
export function unreadVariables(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((name) => /^(?:STYTCH|MCP)_/.test(name) && !CONFIG_VARIABLES.includes(name))
    .sort();
}

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
    mcp: { allowedOrigins: data.MCP_ALLOWED_ORIGINS },
    trustedProxyHops: data.TRUSTED_PROXY,
    ...TUNING,
  };
}
