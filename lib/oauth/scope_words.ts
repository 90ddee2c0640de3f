import { READ_SCOPE, WRITE_SCOPE } from "../auth/todo_scopes.ts";

/**
 * What each scope lets an app do, in words a person reads on a consent page (the built-in one,
 * components/OAuthConsent.tsx, and Stytch's, islands/StytchConsent.tsx).
 */

/** A scope's access in a few words, and what exactly the app may then do. */
export interface ScopeWords {
  access: string;
  effect: string;
}

const IDENTITY: Record<string, ScopeWords> = {
  openid: { access: "Know who you are", effect: "learn your account's id" },
  profile: { access: "See your name", effect: "read the name on your account" },
  email: { access: "See your email address", effect: "read the address you sign in with" },
  phone: { access: "See your phone number", effect: "read the number on your account" },
  offline_access: {
    access: "Keep access while you are away",
    effect: "keep working without asking you to sign in again",
  },
};

/** The words for `scope`; a scope this server does not know is named as it is. */
export function scopeWords(scope: string): ScopeWords {
  if (scope === READ_SCOPE) {
    return { access: "See your todos", effect: "read every todo and whether it is done" };
  }
  if (scope === WRITE_SCOPE) {
    return { access: "Change your todos", effect: "add, edit, complete and delete todos" };
  }
  return Object.hasOwn(IDENTITY, scope)
    ? IDENTITY[scope]
    : { access: `Use the "${scope}" permission`, effect: "this server does not describe it" };
}
