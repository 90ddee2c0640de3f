import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * An error caused by the client or by a known condition, carrying the HTTP status and a
 * stable machine-readable code. Thrown where it happens; mapped to a response in one place
 * (`lib/http/errors.ts`) and to MCP tool results in `lib/mcp`.
 */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: input that fails validation. */
export class ValidationError extends AppError {
  constructor(message: string) {
    super(400, "invalid_request", message);
  }
}

/** 401: no valid credentials. */
export class UnauthorizedError extends AppError {
  constructor(message = "Sign in required.") {
    super(401, "unauthorized", message);
  }
}

/** 403: credentials are valid but the action is not allowed. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, "forbidden", message);
  }
}

/** 404: the named thing does not exist (for this user). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, "not_found", message);
  }
}

/** 409: a limit or concurrent change prevents the write. */
export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

/** 413: request body too large. */
export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, "payload_too_large", `Request body exceeds ${limitBytes} bytes.`);
  }
}

/** 415: request body is not of an accepted media type. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(expected: string) {
    super(415, "unsupported_media_type", `Content-Type must be ${expected}.`);
  }
}

/** 503: a dependency (e.g. Stytch's JWKS) could not be reached. */
export class ServiceUnavailableError extends AppError {
  constructor(message: string) {
    super(503, "service_unavailable", message);
  }
}

/** 429: one client sent more of these requests than its limit allows (lib/http/rate_limit.ts). */
export class TooManyRequestsError extends AppError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(429, "rate_limited", message);
  }
}

/** 409: a read-modify-write lost to concurrent writes too many times (lib/kv/retry.ts). */
export class WriteConflictError extends ConflictError {
  constructor(readonly what: string) {
    super(
      "write_conflict",
      `${what[0].toUpperCase()}${what.slice(1)} changed too many times at once; try again.`,
    );
  }
}
