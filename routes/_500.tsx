import { TopBar } from "../components/TopBar.tsx";
import { AppError } from "../lib/errors.ts";
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
 * names only the request id). A 503 is the sign-in service being down: see `Outage`.
 */
export default function ErrorPage({ error, url }: ErrorPageProps) {
  const { status, message } = error instanceof AppError
    ? error
    : { status: 500, message: "Something went wrong on our side." };
  if (status === 503) return <Outage url={url} />;
  const title = TITLES[status] ?? (status >= 500 ? "Something went wrong" : "That didn't work");
  return (
    <>
      <Head>
        <title>{title} · Todos</title>
      </Head>
      <TopBar home="/" />
      <main class="card narrow error-page" id="main">
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <a href="/todoapp">Back to your todos</a>
        </p>
      </main>
    </>
  );
}

/**
 * The page while the sign-in service cannot be reached (every 503 of a page: Stytch's keys or
 * metadata out of reach). Plain words, no internals; Try again asks for the page the person
 * wanted (this request's own path and query, a same-origin path), which works once it is back.
 */
function Outage({ url }: { url: URL }) {
  return (
    <>
      <Head>
        <title>Sign-in is briefly unavailable · Todos</title>
      </Head>
      <TopBar home="/" />
      <main class="card narrow error-page" id="main">
        <h1>Sign-in is briefly unavailable</h1>
        <p>
          We can't check who you are right now, so this page can't open yet. Your todos are safe.
        </p>
        <p>This usually passes within a minute.</p>
        <p>
          <a class="button-link" href={safeReturnTo(url.pathname + url.search)}>Try again</a>
        </p>
      </main>
    </>
  );
}
