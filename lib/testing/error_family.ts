/**
 * One instance of every member of the error family (lib/errors.ts), by name, for the table
 * test of each surface's mapper, and a small app that throws a given error through a mapper.
 * {@linkcode assertCoversFamily} fails when lib/errors.ts gains a member a table lacks.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import type { Context } from "hono";
import * as errors from "../errors.ts";
import type { AppEnv, BearerChallenge } from "../http/context.ts";

/** A fresh instance of each family member, named by class. */
export const FAMILY: Record<string, () => Error> = {
  AppError: () => new errors.AppError(418, "teapot", "A custom family member."),
  ValidationError: () => new errors.ValidationError("text: Too long."),
  InvalidJsonError: () => new errors.InvalidJsonError("Request body is not valid JSON."),
  BearerRequestError: () => new errors.BearerRequestError("Send the token in the header."),
  UnauthorizedError: () => new errors.UnauthorizedError(),
  InvalidTokenError: () => new errors.InvalidTokenError("Token has expired."),
  ForbiddenError: () => new errors.ForbiddenError("Cross-site request refused."),
  InsufficientScopeError: () =>
    new errors.InsufficientScopeError(["write:todos"], ["read:todos", "write:todos"]),
  NotFoundError: () => new errors.NotFoundError("Todo not found."),
  MethodNotAllowedError: () => new errors.MethodNotAllowedError("Use POST.", ["POST", "OPTIONS"]),
  ConflictError: () => new errors.ConflictError("todo_limit_reached", "At most 1000 todos."),
  WriteConflictError: () => new errors.WriteConflictError("the todo list"),
  PayloadTooLargeError: () => new errors.PayloadTooLargeError(1024),
  UnsupportedMediaTypeError: () => new errors.UnsupportedMediaTypeError("application/json"),
  TooManyRequestsError: () => new errors.TooManyRequestsError("Too many sign-ins.", 42),
  InternalError: () => new errors.InternalError("req-1"),
  ServiceUnavailableError: () => new errors.ServiceUnavailableError("Keys unreachable.", 5),
  StorageError: () => new errors.StorageError("full", "The disk that holds KV_PATH is full."),
  OAuthError: () =>
    new errors.OAuthError("invalid_client", 'Unknown "client".', undefined, {
      "WWW-Authenticate": 'Basic realm="oauth"',
    }),
  AuthorizePageError: () => new errors.AuthorizePageError("The redirect_uri is not registered."),
  /** Not a member: what any mapper must answer as a 500 without details. */
  "unexpected TypeError": () => new TypeError("secret internals at /srv/app.ts:12"),
};

/** Fails unless `table` names every class lib/errors.ts exports (and only names in FAMILY). */
export function assertCoversFamily(table: Record<string, unknown>, surface: string): void {
  const members = Object.entries(errors)
    .filter(([, value]) =>
      typeof value === "function" &&
      (value === errors.AppError || value.prototype instanceof errors.AppError)
    )
    .map(([name]) => name);
  for (const name of [...members, "unexpected TypeError"]) {
    assert.ok(FAMILY[name], `FAMILY lacks ${name}`);
    assert.ok(name in table, `the ${surface} table lacks ${name}`);
  }
  for (const name of Object.keys(table)) assert.ok(FAMILY[name], `${name} is no family member`);
}

/**
 * Answers `request` with an app whose only route throws `error` through `onError` (the surface's
 * mapper), with the request id `req-1` and, when given, a bearer challenge as `requireBearer`
 * sets it.
 */
export async function throwThrough(
  onError: (error: Error, c: Context<AppEnv>) => Response | Promise<Response>,
  error: Error,
  options: { bearerChallenge?: BearerChallenge; headers?: HeadersInit } = {},
): Promise<Response> {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("requestId", "req-1");
    if (options.bearerChallenge) c.set("bearerChallenge", options.bearerChallenge);
    await next();
  });
  app.onError(onError);
  app.all("*", () => {
    throw error;
  });
  return await app.request("http://localhost:8000/somewhere?access_token=secret", {
    headers: options.headers,
  });
}

/** Runs `body` with `console.error` recorded; returns what it logged, one string per call. */
export async function capturingErrors<T>(body: () => Promise<T>): Promise<[T, string[]]> {
  const original = console.error;
  const logged: string[] = [];
  console.error = (...args: unknown[]) => {
    logged.push(args.map((arg) => arg instanceof Error ? arg.stack : String(arg)).join(" "));
  };
  try {
    return [await body(), logged];
  } finally {
    console.error = original;
  }
}
