import assert from "node:assert/strict";
import { Hono } from "hono";
import { parseConfig } from "../config.ts";
import { canonicalIp, clientIp, clientNetwork, UNKNOWN_CLIENT } from "./client_ip.ts";
import type { AppEnv, Deps } from "./context.ts";
import { consumeRateLimit } from "./rate_limit.ts";

/** A bare app that answers each request with `clientIp(c)`, under `env`'s configuration. */
function ipApp(env: Record<string, string> = {}) {
  const app = new Hono<AppEnv>();
  const deps = { config: parseConfig(env) } as Deps;
  app.use((c, next) => {
    c.set("deps", deps);
    return next();
  });
  app.get("/", (c) => c.text(clientIp(c)));
  return async (peer: Deno.Addr | null, headers: Record<string, string> = {}) => {
    const request = new Request("http://localhost/", { headers });
    const response = await app.fetch(request, peer ? { remoteAddr: peer } : undefined);
    return await response.text();
  };
}

const tcp = (hostname: string): Deno.Addr => ({ transport: "tcp", hostname, port: 50_000 });

Deno.test("canonicalIp() accepts IPv4 and IPv6 spellings and refuses everything else", () => {
  const cases: [string, string | null][] = [
    ["203.0.113.7", "203.0.113.7"],
    ["203.0.113.7:8080", "203.0.113.7"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::ffff:cb00:7107", "203.0.113.7"],
    ["::1", "::1"],
    ["256.1.1.1", null],
    ["1.2.3", null],
    ["0x7f.1.1.1", null],
    ["fe80::1%eth0", null],
    ["2001:db8::1::2", null],
    ["evil.example", null],
    ["unknown", null],
    ["", null],
    ["203.0.113.7 , 1.1.1.1", null],
  ];
  for (const [text, expected] of cases) assert.equal(canonicalIp(text), expected, text);
});

Deno.test("every IPv6 spelling of one IPv4 address is that address: one rate-limit bucket", async () => {
  const spellings = [
    "203.0.113.7",
    "::ffff:203.0.113.7",
    "::ffff:0:203.0.113.7",
    "::203.0.113.7",
    "::cb00:7107",
    "64:ff9b::203.0.113.7",
    "64:ff9b::cb00:7107",
    "2002:cb00:7107::1",
    "2002:cb00:7107:1::1",
    "2002:cb00:7107:ffff:1:2:3:4",
  ];
  for (const text of spellings) {
    assert.equal(clientNetwork(canonicalIp(text)!), "203.0.113.7", text);
  }
  // Not IPv4 in disguise: these stay IPv6.
  assert.equal(canonicalIp("::"), "::");
  assert.equal(canonicalIp("::1"), "::1");
  assert.equal(canonicalIp("64:ff9b:1::cb00:7107"), "64:ff9b:1::cb00:7107");

  // Through a real limit: 6to4 networks of one address share its count.
  using kv = await Deno.openKv(":memory:");
  const rule = { name: "t", limit: 3, windowMs: 60_000, what: "tries" };
  const now = Date.now();
  const allowed = [];
  for (const text of spellings.slice(-4)) {
    allowed.push(
      (await consumeRateLimit(kv, rule, clientNetwork(canonicalIp(text)!), now)).allowed,
    );
  }
  assert.deepEqual(allowed, [true, true, true, false]);
});

Deno.test("clientNetwork() keeps an IPv4 address whole and groups IPv6 by /64", () => {
  assert.equal(clientNetwork("203.0.113.7"), "203.0.113.7");
  assert.equal(clientNetwork("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  assert.equal(clientNetwork("2001:db8:1:2::ffff"), "2001:db8:1:2::/64");
  assert.equal(clientNetwork("2001:db8::1"), "2001:db8:0:0::/64");
  assert.equal(clientNetwork(UNKNOWN_CLIENT), UNKNOWN_CLIENT);
});

Deno.test("clientIp() is the TCP peer, and ignores X-Forwarded-For without TRUSTED_PROXY", async () => {
  const ask = ipApp();
  assert.equal(await ask(tcp("203.0.113.7")), "203.0.113.7");
  assert.equal(await ask(tcp("::ffff:203.0.113.7")), "203.0.113.7");
  assert.equal(
    await ask(tcp("203.0.113.7"), { "X-Forwarded-For": "198.51.100.1, 198.51.100.2" }),
    "203.0.113.7",
  );
});

Deno.test("clientIp() with TRUSTED_PROXY=n takes the n-th X-Forwarded-For entry from the right", async () => {
  const proxy = tcp("10.0.0.2");
  const one = ipApp({ TRUSTED_PROXY: "1" });
  // The client forged the first entry; the proxy appended the address it saw.
  assert.equal(
    await one(proxy, { "X-Forwarded-For": "198.51.100.66, 203.0.113.7" }),
    "203.0.113.7",
  );
  assert.equal(await one(proxy, { "X-Forwarded-For": "2001:db8::7" }), "2001:db8::7");
  const two = ipApp({ TRUSTED_PROXY: "2" });
  assert.equal(
    await two(proxy, { "X-Forwarded-For": "198.51.100.66, 203.0.113.7, 10.0.0.1" }),
    "203.0.113.7",
  );
});

Deno.test("clientIp() with TRUSTED_PROXY falls back to the peer when X-Forwarded-For is missing, short or not an address", async () => {
  const proxy = tcp("10.0.0.2");
  const two = ipApp({ TRUSTED_PROXY: "2" });
  assert.equal(await two(proxy), "10.0.0.2");
  assert.equal(await two(proxy, { "X-Forwarded-For": "203.0.113.7" }), "10.0.0.2");
  assert.equal(await two(proxy, { "X-Forwarded-For": "evil, 10.0.0.1" }), "10.0.0.2");
  assert.equal(await two(proxy, { "X-Forwarded-For": ", 10.0.0.1" }), "10.0.0.2");
});

Deno.test("clientIp() without a TCP peer (in-process tests, a Unix socket) is the shared unknown bucket", async () => {
  assert.equal(await ipApp()(null), UNKNOWN_CLIENT);
  assert.equal(await ipApp()({ transport: "unix", path: "/tmp/app.sock" }), UNKNOWN_CLIENT);
  assert.equal(await ipApp()(null, { "X-Forwarded-For": "203.0.113.7" }), UNKNOWN_CLIENT);
});
