/**
 * Where a request comes from, for per-address rate limits (lib/http/rate_limit.ts).
 *
 * The address is the TCP peer `Deno.serve` reports (main.ts hands it to Hono as `c.env`).
 * `X-Forwarded-For` is read only when `TRUSTED_PROXY` says how many proxies stand in front of
 * the app: each appends the address it was connected from, so the n-th entry from the right
 * was written by a proxy we trust and everything left of it may be forged by the client.
 * Requests with no TCP peer (in-process tests over `app.fetch`, a Unix socket) share the
 * single {@linkcode UNKNOWN_CLIENT} bucket: limited together, never unlimited.
 */
import type { Context } from "hono";
import type { AppEnv } from "./context.ts";

/** The bucket for requests whose address is not known. */
export const UNKNOWN_CLIENT = "unknown";

/** The request's client address (canonical text), or {@linkcode UNKNOWN_CLIENT}. */
export function clientIp(c: Context<AppEnv>): string {
  const remote = c.env?.remoteAddr;
  const peer = remote?.transport === "tcp" || remote?.transport === "udp"
    ? canonicalIp(remote.hostname)
    : null;
  const hops = c.var.deps.config.trustedProxyHops;
  if (hops > 0) {
    const forwarded = forwardedClient(c.req.header("X-Forwarded-For"), hops);
    if (forwarded) return forwarded;
  }
  return peer ?? UNKNOWN_CLIENT;
}

/**
 * The address `hops` trusted proxies vouch for in an `X-Forwarded-For` value: the `hops`-th
 * entry from the right. `null` when the header has fewer entries (it did not pass through
 * every proxy) or that entry is not an IP address; the caller then falls back to the peer,
 * which puts such requests in the proxy's bucket (stricter, never looser).
 */
export function forwardedClient(header: string | undefined, hops: number): string | null {
  if (!header) return null;
  const entries = header.split(",").map((entry) => entry.trim());
  if (entries.length < hops) return null;
  return canonicalIp(entries[entries.length - hops]);
}

/**
 * The rate-limit subject for `ip`: an IPv4 address as is, an IPv6 address as its /64 network
 * (one host is commonly given a whole /64, so single addresses would be free to rotate).
 */
export function clientNetwork(ip: string): string {
  if (!ip.includes(":")) return ip;
  return `${expandIPv6(ip).slice(0, 4).map((group) => group.toString(16)).join(":")}::/64`;
}

/**
 * `text` as a canonical IPv4 or IPv6 address, or `null` when it is not an address. An IPv6
 * spelling of one IPv4 address becomes that IPv4 address ({@linkcode embeddedIPv4}), so one
 * client cannot count as many. Brackets and an IPv4 `:port` are tolerated; zone ids are not.
 */
export function canonicalIp(text: string | undefined): string | null {
  if (!text) return null;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?$/.exec(text)?.[1];
  if (v4) {
    const bytes = v4.split(".").map(Number);
    return bytes.every((b) => b <= 255) ? bytes.join(".") : null;
  }
  const bare = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(text)?.[1] ??
    (/^[0-9a-fA-F:.]+$/.test(text) && text.includes(":") ? text : null);
  if (!bare) return null;
  let hostname: string;
  try {
    hostname = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  return embeddedIPv4(expandIPv6(hostname)) ?? hostname;
}

/**
 * The IPv4 address an IPv6 address stands for, or `null`: IPv4-mapped (`::ffff:a.b.c.d`),
 * IPv4-translated (`::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, not `::` or `::1`),
 * NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::/48`, whose 65,536 /64 networks
 * belong to the one IPv4 address and would otherwise be as many rate-limit buckets).
 */
function embeddedIPv4(g: number[]): string | null {
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const v4 = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join(".");
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6], g[7]);
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6], g[7]);
  if (zeros(0, 6) && (g[6] !== 0 || g[7] > 1)) return v4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6], g[7]);
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  return null;
}

/** The eight 16-bit groups of a canonical (URL-serialised, hex-only) IPv6 address. */
function expandIPv6(address: string): number[] {
  const [head, tail] = address.split("::");
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((group) => parseInt(group, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const zeros = tail === undefined ? [] : new Array(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}
