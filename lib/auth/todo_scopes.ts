/**
 * The OAuth scopes that guard the todos: names this server defines (a protocol fact of the app,
 * the same wherever it runs), checked by `/mcp` and granted by either authorization server.
 */

/** Scope a token needs to read todos: read tools, resources, the prompt, listen streams. */
export const READ_SCOPE = "read:todos";
/** Scope a token needs for the tools that change todos. */
export const WRITE_SCOPE = "write:todos";
/** Both, read first: what this server grants and advertises (`scopes_supported`). */
export const TODO_SCOPES: readonly string[] = Object.freeze([READ_SCOPE, WRITE_SCOPE]);
