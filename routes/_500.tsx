import { AppError } from "../lib/errors.ts";
import { type ErrorPageProps, Head } from "../lib/pages/mod.ts";

const TITLES: Record<number, string> = {
  400: "That didn't work",
  401: "Sign in required",
  403: "Not allowed",
  404: "Page not found",
  405: "Not allowed",
  413: "Too large",
  429: "Too many requests",
  503: "Temporarily unavailable",
};

/**
 * What a page route threw, as the page layer hands it over (lib/pages/error_pages.ts): an
 * `AppError` with its status and a message safe to show (an unexpected error is a 500 that
 * names only the request id).
 */
export default function ErrorPage({ error }: ErrorPageProps) {
  const { status, message } = error instanceof AppError
    ? error
    : { status: 500, message: "Something went wrong on our side." };
  const title = TITLES[status] ?? (status >= 500 ? "Something went wrong" : "That didn't work");
  return (
    <>
      <Head>
        <title>{title} · Todos</title>
      </Head>
      <main class="card narrow error-page">
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <a href="/todoapp">Back to your todos</a>
        </p>
      </main>
    </>
  );
}
