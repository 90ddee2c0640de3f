/**
 * The one answer for "the identity provider cannot be reached right now" (Stytch's keys or its
 * sessions API down, failing or too slow): 503 with `Retry-After`, in words a person can read.
 * Never 500, never "signed out": the person's session and todos are untouched.
 */
import { ServiceUnavailableError } from "../errors.ts";

/** Seconds a client is asked to wait before trying again (`Retry-After`). */
export const SIGN_IN_RETRY_AFTER_SECONDS = 5;

/** The message of every sign-in outage answer. */
export const SIGN_IN_UNAVAILABLE_MESSAGE =
  "Sign-in is briefly unavailable. Your todos are safe; try again in a moment.";

/** A new 503 for a sign-in outage (a new instance each time: pages attach where to retry). */
export function signInUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError(SIGN_IN_UNAVAILABLE_MESSAGE, SIGN_IN_RETRY_AFTER_SECONDS);
}
