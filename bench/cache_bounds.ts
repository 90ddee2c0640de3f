/**
 * Hit rates of the isolate's caches at their byte bounds, from one many-user trace replayed
 * against the real cache classes: {@linkcode TRACE_USERS} users whose lists hold 10 to 1,000
 * todos (log-uniform), each request for a user drawn from a Zipf distribution (s = 1), one in
 * ten a write (a new list version). Reads: 70% list reads (REST and MCP, the list cache), of
 * which half are MCP calls with the user's bearer token (the verified-token cache); 20% page
 * views (the list cache, then the page cache). Each cache is replayed at a quarter, half, one
 * and two times its bound, so the table shows what halving a bound costs. Run by
 * `deno task bench`, or alone: `deno run -A bench/cache_bounds.ts`.
 */
import { ListCache } from "../lib/todos/list_cache.ts";
import { PageCache } from "../lib/pages/page_cache.ts";
import { VerifiedTokenCache } from "../lib/auth/token_cache.ts";
import { LIST_CACHE_BYTES, PAGE_CACHE_BYTES, TOKEN_CACHE_BYTES } from "../lib/tuning.ts";
import type { VerifiedAccess } from "../lib/oauth/tokens.ts";
import type { Todo } from "../lib/todos/rules.ts";

/** Users in the trace: more lists than any bound holds, so the bounds decide the hit rate. */
export const TRACE_USERS = 500;
const REQUESTS = 40_000;
const SCALES = [0.25, 0.5, 1, 2];

/** One request of the trace. */
interface Step {
  user: number;
  kind: "write" | "rest" | "mcp" | "page";
}

/** Hit rate (0-1) of one cache at each scale of its bound. */
export interface BoundRow {
  name: string;
  bound: number;
  rates: { scale: number; hitRate: number }[];
}

/** Mulberry32: a small seeded generator, so every run replays the same trace. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function trace(): { steps: Step[]; sizes: number[] } {
  const next = random(26);
  const sizes = Array.from({ length: TRACE_USERS }, () => Math.round(10 ** (1 + 2 * next())));
  const weights = sizes.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push(sum += w / total);
  const pick = () => {
    const r = next();
    let [lo, hi] = [0, cumulative.length - 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const steps: Step[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const r = next();
    const kind = r < 0.1 ? "write" : r < 0.45 ? "rest" : r < 0.8 ? "mcp" : "page";
    steps.push({ user: pick(), kind });
  }
  return { steps, sizes };
}

function todosOf(user: number, count: number, version: number): Todo[] {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString();
  return Array.from({ length: count }, (_, i) => ({
    id: `01J${String(user).padStart(6, "0")}${String(i).padStart(17, "0")}`,
    text: `Benchmark todo number ${i + 1} of user ${user}`,
    completed: i % 3 === 0,
    createdAt: at,
    updatedAt: at,
  }));
}

/** HTML about as long and as compressible as the todo page: some 550 bytes per todo. */
function pageOf(todos: readonly Todo[]): string {
  const rows = todos.map((t) =>
    `<li id="todo-${t.id}" class="todo${t.completed ? " done" : ""}"><form method="post">` +
    `<input type="checkbox" name="completed" aria-label="Done: ${t.text}"${
      t.completed ? " checked" : ""
    }><span class="text">${t.text}</span><button name="delete" value="${t.id}" ` +
    `aria-label="Delete ${t.text}">Delete</button><input type="hidden" name="id" ` +
    `value="${t.id}"></form></li>`
  );
  return `<!DOCTYPE html><html><body><ul>${rows.join("")}</ul></body></html>`;
}

const TOKEN = "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsxIn0.".padEnd(800, "x");

/** A verified token's entry as lib/oauth/tokens.ts keeps it: claims, and the grant read with the marker. */
function verifiedAccessOf(userId: string, user: number): VerifiedAccess {
  const grant = { userId, clientId: `client-${user}`, grantId: crypto.randomUUID() };
  const now = Date.now();
  const stored = {
    ...grant,
    scopes: ["read:todos", "write:todos"],
    resource: "https://todos.example/mcp",
    refreshHash: "x".repeat(43),
    createdAt: now,
    expiresAt: now + 30 * 24 * 3600_000,
  };
  const marker = ["todo_changes", userId];
  return {
    grant: { ...grant, scopes: stored.scopes },
    kid: "k1",
    until: now + 3600_000,
    read: {
      grant: stored,
      keys: [marker],
      along: [{ key: marker, value: new Deno.KvU64(5n), versionstamp: "00000000000000010000" }],
      ticket: 0,
      at: now,
    },
  };
}

/** Replays the trace against one cache of each kind at `scale` times its bound. */
async function replay(
  { steps, sizes }: ReturnType<typeof trace>,
  scale: number,
): Promise<Record<string, number>> {
  const lists = new ListCache(LIST_CACHE_BYTES * scale);
  const pages = new PageCache(PAGE_CACHE_BYTES * scale);
  const tokens = new VerifiedTokenCache<unknown>(TOKEN_CACHE_BYTES * scale);
  const versions = new Uint32Array(TRACE_USERS).fill(1);
  let [pageViews, pageHits] = [0, 0];
  for (const [i, { user, kind }] of steps.entries()) {
    // Lets the background gzip of kept pages finish (it counts against the bound).
    if (i % 2000 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const version = String(versions[user]);
    if (kind === "write") {
      versions[user]++;
      continue;
    }
    const id = `user-${user}`;
    let list = lists.get(id, version);
    if (!list) {
      list = { versionstamp: version, todos: todosOf(user, sizes[user], versions[user]) };
      lists.set(id, list);
    }
    if (kind === "mcp") {
      const key = `https://todos.example/mcp ${TOKEN}${user}`;
      if (!tokens.get(key)) {
        tokens.set(key, verifiedAccessOf(id, user), Infinity);
      }
    }
    if (kind === "page") {
      pageViews++;
      let rendered = false;
      pages.page(id, version, () => (rendered = true, pageOf(list.todos)));
      if (!rendered) pageHits++;
    }
  }
  const rate = (s: { hits: number; misses: number }) => s.hits / (s.hits + s.misses);
  return {
    lists: rate(lists.stats),
    pages: pageHits / pageViews,
    tokens: rate(tokens.stats),
  };
}

/** Replays the trace at each scale and returns one row per cache. */
export async function measureCacheBounds(): Promise<BoundRow[]> {
  const t = trace();
  const byScale: { scale: number; rates: Record<string, number> }[] = [];
  for (const scale of SCALES) byScale.push({ scale, rates: await replay(t, scale) });
  const row = (name: string, key: string, bound: number): BoundRow => ({
    name,
    bound,
    rates: byScale.map(({ scale, rates }) => ({ scale, hitRate: rates[key] })),
  });
  return [
    row("list cache (LIST_CACHE_BYTES)", "lists", LIST_CACHE_BYTES),
    row("page cache (PAGE_CACHE_BYTES)", "pages", PAGE_CACHE_BYTES),
    row("verified tokens (TOKEN_CACHE_BYTES)", "tokens", TOKEN_CACHE_BYTES),
  ];
}

/** Prints the rows as a table. */
export function printCacheBounds(rows: BoundRow[]): void {
  console.log(
    `cache hit rates, ${TRACE_USERS} users (Zipf), ${REQUESTS} requests  bound   ` +
      SCALES.map((s) => `x${s}`.padStart(6)).join(""),
  );
  for (const { name, bound, rates } of rows) {
    const mib = `${(bound / 1048576).toFixed(bound < 1048576 ? 2 : 0)} MiB`;
    console.log(
      `  ${name.padEnd(48)}${mib.padStart(8)}  ` +
        rates.map((r) => `${(r.hitRate * 100).toFixed(0)}%`.padStart(6)).join(""),
    );
  }
}

if (import.meta.main) printCacheBounds(await measureCacheBounds());
