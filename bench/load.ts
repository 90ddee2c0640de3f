/**
 * A small closed-loop HTTP load generator: `concurrency` workers send one request after
 * another for `durationMs`, each timing its request up to the last byte of the answer.
 */

/** One kind of request to measure, built fresh for every send. */
export interface Target {
  name: string;
  request: () => Request;
  /** True when an answer is the expected one (checked on the read body). */
  check: (status: number, body: string) => boolean;
}

/** What one timed run measured. */
export interface Sample {
  /** Latencies of the good answers, in milliseconds. */
  latencies: number[];
  /** Answers that failed `check`, or requests that threw. */
  errors: number;
  durationMs: number;
  /** The first failed answer, for the report. */
  firstError?: string;
}

/** Runs `target` with `concurrency` workers for `durationMs`. */
export async function runLoad(
  target: Target,
  concurrency: number,
  durationMs: number,
): Promise<Sample> {
  const sample: Sample = { latencies: [], errors: 0, durationMs: 0 };
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const response = await fetch(target.request());
        const body = await response.text();
        const elapsed = performance.now() - t0;
        if (target.check(response.status, body)) sample.latencies.push(elapsed);
        else {
          sample.errors++;
          sample.firstError ??= `${response.status} ${body.slice(0, 300)}`;
        }
      } catch (error) {
        sample.errors++;
        sample.firstError ??= String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  sample.durationMs = performance.now() - started;
  return sample;
}

/** Merges samples of the same target (interleaved rounds) into one. */
export function mergeSamples(samples: Sample[]): Sample {
  return {
    latencies: samples.flatMap((s) => s.latencies),
    errors: samples.reduce((n, s) => n + s.errors, 0),
    durationMs: samples.reduce((n, s) => n + s.durationMs, 0),
    firstError: samples.find((s) => s.firstError)?.firstError,
  };
}

/** The `p`-th percentile (0-100) of `values`, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
