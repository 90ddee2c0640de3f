import type { PageState } from "../lib/http/page_state.ts";
import { type Handlers, Head, type PageProps } from "../lib/pages/mod.ts";
import McpUrl from "../islands/McpUrl.tsx";
import { TopBar } from "../components/TopBar.tsx";

const SIGN_IN = `/login?returnTo=${encodeURIComponent("/todoapp")}`;

/**
 * `/`: what the app is and how to use it; a signed-in person goes on to their todos. Lenient:
 * the page still works when the session cannot be checked.
 */
export const handler: Handlers<undefined, PageState> = {
  GET: async (_req, ctx) =>
    await ctx.state.lookupUser({ lenient: true }) ? ctx.redirect("/todoapp", 302) : ctx.render(),
};

export default function Landing({ state }: PageProps<undefined, PageState>) {
  const formSignIn = state.deps.identity.formSignIn !== undefined;
  const mcpUrl = `${state.origin}/mcp`;
  return (
    <>
      <Head>
        <title>Welcome · Todos</title>
        <meta
          name="description"
          content="A todo list you use in the browser and share with Claude or any MCP client."
        />
      </Head>
      <TopBar home="/">
        <a href={SIGN_IN}>Sign in</a>
      </TopBar>
      <main class="card landing" id="main">
        <h1>Your todo list, for you and your AI agents</h1>
        <p class="lead">
          Todos is a plain, fast todo list. Use it here in the browser, and let Claude or any other
          MCP client read and update the same list once you allow it.
        </p>
        <p>
          <a class="button-link" href={SIGN_IN}>Sign in to your todos</a>
        </p>

        <h2>Signing in</h2>
        {formSignIn
          ? (
            <p>
              Type your email address: there is no password and no email to confirm. The same
              address always opens the same list, so use one only you know on a shared server.
            </p>
          )
          : (
            <p>
              Sign in with your email address (we send you a one-time code) or with a Google
              account. Your first sign-in creates your list.
            </p>
          )}

        <h2>Connect Claude or another MCP client</h2>
        <ol>
          <li>
            Copy this app's MCP server URL:
            <McpUrl url={mcpUrl} />
          </li>
          <li>
            In Claude, open <strong>Settings → Connectors → Add custom connector</strong>{" "}
            and paste the URL. In Claude Code, run{" "}
            <code>claude mcp add --transport http todos {mcpUrl}</code>. Other clients: add a
            “Streamable HTTP” server with the URL.
          </li>
          <li>
            Your browser opens a page here: sign in and choose{" "}
            <strong>Allow</strong>. The client can then list, add, complete, edit and delete your
            todos.
          </li>
          {formSignIn && (
            <li>
              Changed your mind?{" "}
              <strong>Connected apps</strong>, in the menu once you are signed in, takes an app's
              access away.
            </li>
          )}
        </ol>
      </main>
    </>
  );
}
