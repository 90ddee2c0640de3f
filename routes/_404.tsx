import { TopBar } from "../components/TopBar.tsx";
import { Head, type UnknownPageProps } from "../lib/pages/mod.ts";

/** A path no route or static file answers. */
export default function NotFoundPage({ url }: UnknownPageProps) {
  return (
    <>
      <Head>
        <title>Page not found · Todos</title>
      </Head>
      <TopBar home="/" />
      <main class="card narrow error-page" id="main">
        <h1>Page not found</h1>
        <p>Nothing here at {url.pathname}.</p>
        <p>
          <a href="/todoapp">Back to your todos</a>
        </p>
      </main>
    </>
  );
}
