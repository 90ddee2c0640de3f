/**
 * What the todo page says when its list stops following changes (browser/live_stream.ts):
 * "Live updates paused" with a Retry button, or "signed out" with a link to sign in and come
 * back here. While the list is live the region is empty (and stays in the page, so screen
 * readers announce what appears in it).
 */
import { loginUrl } from "../lib/http/return_to.ts";
import type { LiveStatus as Status } from "../browser/live_stream.ts";

export interface LiveStatusProps {
  status: Status;
  onRetry(): void;
}

/** The live-updates status region (see the module comment). */
export function LiveStatus({ status, onRetry }: LiveStatusProps) {
  return (
    <div class="live-status" role="status">
      {status === "paused" && (
        <p class="live-paused">
          Live updates paused: changes made elsewhere will not show here until they resume.{" "}
          <button type="button" onClick={onRetry}>Retry</button>
        </p>
      )}
      {status === "signed-out" && (
        <p class="live-signed-out">
          You were signed out, so this list no longer updates and changes are not saved.{" "}
          <a href={loginUrl(new URL(location.href))}>Sign in again</a>
        </p>
      )}
    </div>
  );
}
