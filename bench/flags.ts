/**
 * Runtime flags of the benchmark's own processes. `--unstable-no-legacy-abort` stops Deno from
 * aborting every request's signal after a successful answer (a `DOMException` per request):
 * a cost the benchmark leaves out. The app's deno.json does not set it, because Deno Deploy
 * passes no runtime flags; the app answers the same with or without it.
 */
export const BENCH_FLAGS = ["--unstable-no-legacy-abort"];
