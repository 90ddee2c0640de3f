/**
 * IP address text: telling literals from names, and classifying addresses for the SSRF guard
 * of client metadata fetches (only public unicast addresses pass).
 */

/** True when `address` (IPv4 or IPv6 text, brackets allowed) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  const text = address.replace(/^\[|\]$/g, "");
  const v4 = parseIPv4(text);
  if (v4) return isPublicIPv4(v4);
  const v6 = parseIPv6(text);
  if (!v6) return false;
  return isPublicIPv6(v6);
}

/** True when `hostname` is an IPv4 or IPv6 literal rather than a name. */
export function isIpLiteral(hostname: string): boolean {
  const text = hostname.replace(/^\[|\]$/g, "");
  return parseIPv4(text) !== null || parseIPv6(text) !== null;
}

function parseIPv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p))) return null;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

const BLOCKED_V4: Array<[number[], number]> = [
  [[0, 0, 0, 0], 8], // "this" network
  [[10, 0, 0, 0], 8], // private
  [[100, 64, 0, 0], 10], // carrier-grade NAT
  [[127, 0, 0, 0], 8], // loopback
  [[169, 254, 0, 0], 16], // link-local, cloud metadata
  [[172, 16, 0, 0], 12], // private
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // documentation
  [[192, 88, 99, 0], 24], // 6to4 relay
  [[192, 168, 0, 0], 16], // private
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // documentation
  [[203, 0, 113, 0], 24], // documentation
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, broadcast
];

function isPublicIPv4(bytes: number[]): boolean {
  const value = toUint32(bytes);
  return !BLOCKED_V4.some(([base, bits]) => {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return ((value & mask) >>> 0) === ((toUint32(base) & mask) >>> 0);
  });
}

const toUint32 = (b: number[]) => ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;

function parseIPv6(text: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split("::").length > 2) return null;
  let tail: number[] = [];
  let body = text;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return null;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    body = text.slice(0, lastColon + 1);
    if (!body.endsWith("::")) body = body.slice(0, -1);
  }
  const [head, rest] = body.split("::");
  const parse = (s: string) => (s === "" ? [] : s.split(":"));
  const headParts = parse(head);
  const restParts = rest === undefined ? null : parse(rest);
  const groups = [...headParts, ...(restParts ?? [])];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const total = groups.length + tail.length;
  if (restParts === null ? total !== 8 : total > 7) return null;
  const zeros = restParts === null ? [] : new Array(8 - total).fill(0);
  return [
    ...headParts.map((g) => parseInt(g, 16)),
    ...zeros,
    ...(restParts ?? []).map((g) => parseInt(g, 16)),
    ...tail,
  ];
}

function isPublicIPv6(g: number[]): boolean {
  const embeddedV4 = [g[6] >> 8, g[6] & 255, g[7] >> 8, g[7] & 255];
  if (g.slice(0, 8).every((x) => x === 0)) return false; // unspecified
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return false; // loopback
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return isPublicIPv4(embeddedV4);
  if (g.slice(0, 6).every((x) => x === 0)) return false; // IPv4-compatible (deprecated)
  if (g.slice(0, 4).every((x) => x === 0) && g[4] === 0xffff && g[5] === 0) return false; // SIIT
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return false; // local-use NAT64
  if (g[0] === 0x64 && g[1] === 0xff9b) return isPublicIPv4(embeddedV4); // NAT64
  if ((g[0] & 0xfe00) === 0xfc00) return false; // unique local
  if ((g[0] & 0xffc0) === 0xfe80) return false; // link-local
  if ((g[0] & 0xffc0) === 0xfec0) return false; // site-local (deprecated)
  if ((g[0] & 0xff00) === 0xff00) return false; // multicast
  if (g[0] === 0x2001 && g[1] < 0x0200) return false; // IETF protocol assignments, Teredo
  if (g[0] === 0x2001 && g[1] === 0x0db8) return false; // documentation
  if ((g[0] & 0xfff0) === 0x3ff0) return false; // documentation (3fff::/20)
  if (g[0] === 0x5f00) return false; // SRv6 SIDs
  if (g[0] === 0x0100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return false; // discard
  if (g[0] === 0x2002) return isPublicIPv4([g[1] >> 8, g[1] & 255, g[2] >> 8, g[2] & 255]); // 6to4
  return true;
}
