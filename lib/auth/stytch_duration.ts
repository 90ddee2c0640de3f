/**
 * Minutes a Stytch session lasts from its last use, requested both by the browser SDK at sign-in
 * and by the server when it renews a session (sliding: each renewal moves the end this far from
 * now). It must not exceed the dashboard's maximum session duration (Frontend SDKs settings).
 * No imports: the browser bundle reads it too.
 */
export const SESSION_DURATION_MINUTES = 60;
