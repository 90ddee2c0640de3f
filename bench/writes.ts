/**
 * Write cost: REST `POST /api/todos` timed on a list held at a fixed size. Each worker creates a
 * todo (timed), then deletes it (untimed), so the list stays within `concurrency` of its
 * seeded size however long the run lasts.
 */
import type { Sample } from "./load.ts";

/** A write run's sample, with the `409 write_conflict` answers (creates and deletes) counted. */
export interface WriteSample extends Sample {
  conflicts: number;
}

/** Runs `concurrency` create-then-delete workers for `durationMs` against `origin`. */
export async function runCreates(
  origin: string,
  cookie: string,
  concurrency: number,
  durationMs: number,
): Promise<WriteSample> {
  const sample: WriteSample = { latencies: [], errors: 0, durationMs: 0, conflicts: 0 };
  const headers = { Cookie: cookie, Origin: origin, "Accept-Encoding": "identity" };
  const started = performance.now();
  const deadline = started + durationMs;
  let timed = 0;
  let sequence = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const text = `Written by the benchmark ${++sequence}`;
      const t0 = performance.now();
      try {
        const response = await fetch(`${origin}/api/todos`, {
          method: "POST",
          headers: { ...headers, "Content-Type": "application/json" },
          body: JSON.stringify({ todoText: text }),
        });
        const body = await response.json();
        const elapsed = performance.now() - t0;
        timed += elapsed;
        // The created todo: `{todo}`, or found by its text in a whole-list answer.
        const id = body.todo?.id ??
          body.todos?.find((todo: { text: string }) => todo.text === text)?.id;
        if (response.status !== 201 || !id) {
          if (body.error?.code === "write_conflict") sample.conflicts++;
          sample.errors++;
          sample.firstError ??= `${response.status} ${JSON.stringify(body).slice(0, 300)}`;
          continue;
        }
        sample.latencies.push(elapsed);
        // Retried (untimed) until it goes through, so the list keeps its size.
        for (let attempt = 0; attempt < 10; attempt++) {
          const deleted = await fetch(`${origin}/api/todos/${id}`, { method: "DELETE", headers });
          const answer = await deleted.json().catch(() => ({}));
          if (answer.error?.code === "write_conflict") sample.conflicts++;
          if (deleted.ok || deleted.status === 404) break;
        }
      } catch (error) {
        sample.errors++;
        sample.firstError ??= String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // Creates per second of time spent creating (the deletes in between do not count).
  sample.durationMs = timed / concurrency;
  return sample;
}
