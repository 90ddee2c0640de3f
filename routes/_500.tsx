import type { ComponentChildren } from "preact";
import { TopBar } from "../components/TopBar.tsx";
import { AppError, ServiceUnavailableError, StorageError } from "../lib/errors.ts";
import { safeReturnTo } from "../lib/http/return_to.ts";
import { type ErrorPageProps, Head } from "../lib/pages/mod.ts";

const TITLES: Record<number, string> = {
  400: "That didn't work",
  401: "Sign in required",
  403: "Not allowed",
  404: "Page not found",
  405: "Not allowed",
  413: "Too large",
  429: "Too many requests",
};

/**
 * What a page route threw, as the page layer hands it over (lib/pages/error_pages.ts): an
 * `AppError` with its status and a message safe to show (an unexpected error is a 500 that
 * names only the request id). A 503 is an outage: the sign-in service or the store, see `Outage`.
 */
export default function ErrorPage({ error, url }: ErrorPageProps) {
  const { status, message } = error instanceof AppError
    ? error
    : { status: 500, message: "Something went wrong on our side." };
  if (error instanceof ServiceUnavailableError) {
    const retryTo = safeReturnTo(error.retryTo ?? url.pathname + url.search);
    return <Outage retryTo={retryTo} storage={error instanceof StorageError} />;
  }
  const title = TITLES[status] ?? (status >= 500 ? "Something went wrong" : "That didn't work");
  return (
    <ErrorShell title={title}>
      <p>{message}</p>
      <p>
        <a href="/todoapp">Back to your todos</a>
      </p>
    </ErrorShell>
  );
}

/** The frame of every error page: its title, the header, and one card with the heading. */
function ErrorShell({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <>
      <Head>
        <title>{title} · Todos</title>
      </Head>
      <TopBar home="/" />
      <main class="card narrow error-page" id="main">
        <h1>{title}</h1>
        {children}
      </main>
    </>
  );
}

/**
 * The page while a service the app needs cannot be used: the sign-in service (Stytch's keys or
 * sessions API) or, with `storage`, the store. Plain words, no internals; Try again asks for
 * the page the person wanted (`retryTo`, a same-origin path), which works once it is back.
 */
function Outage({ retryTo, storage }: { retryTo: string; storage: boolean }) {
  const title = storage ? "Saving is briefly unavailable" : "Sign-in is briefly unavailable";
  return (
    <ErrorShell title={title}>
      {storage ? <p>The server cannot store anything right now, so nothing was changed.</p> : (
        <p>
          We can't check who you are right now, so this page can't open yet. Your todos are safe.
        </p>
      )}
      <p>{storage ? "Try again in a minute." : "This usually passes within a minute."}</p>
      <p>
        <a class="button-link" href={retryTo}>Try again</a>
      </p>
    </ErrorShell>
  );
}
