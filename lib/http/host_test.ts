import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN } from "../testing/app.ts";
import { stytchEnv } from "../testing/stytch_mode.ts";
import { isWellFormedHost } from "./host.ts";

const STYTCH_ENV = stytchEnv({ origin: "https://clever-fox.customers.stytch.dev" });

Deno.test("isWellFormedHost() takes a name, IPv4 or [IPv6] with an optional port, nothing else", () => {
  for (const ok of ["localhost", "localhost:8000", "127.0.0.1:80", "[::1]:8000", "todo.example"]) {
    assert.ok(isWellFormedHost(ok), ok);
  }
  for (
    const bad of [
      "",
      "a b",
      "user@evil.example",
      "evil.example/path",
      "evil.example:99999",
      "evil.example:abc",
      "evil.example:",
      "a\tb",
      "evil.example\\x",
      "[::1",
      "-evil.example",
      "evil..example",
      "evil.example?x",
      "evil.example#x",
    ]
  ) {
    assert.ok(!isWellFormedHost(bad), JSON.stringify(bad));
  }
});

Deno.test("local mode answers loopback names and refuses any other Host with 421", async () => {
  using test = await createTestApp();
  for (const origin of ["http://localhost:8000", "http://127.0.0.7:1234", "http://[::1]:8000"]) {
    const res = await test.app.fetch(new Request(`${origin}/login`));
    await res.body?.cancel();
    assert.equal(res.status, 200, origin);
  }
  for (const origin of ["http://rebind.example:8000", "http://192.168.1.10:8000"]) {
    for (const path of ["/login", "/api/todos", "/.well-known/oauth-protected-resource/mcp"]) {
      const res = await test.app.fetch(new Request(`${origin}${path}`));
      assert.equal(res.status, 421, `${origin}${path}`);
      assert.match(await res.text(), /Misdirected request/);
    }
  }
});

Deno.test("a rebound DNS name cannot sign in: 421 and nothing stored", async () => {
  using test = await createTestApp();
  const stored = () => Array.fromAsync(test.kv.list({ prefix: [] }));
  const before = await stored();
  const origin = "http://rebind.example:8000";
  const res = await test.app.fetch(
    new Request(`${origin}/login`, {
      method: "POST",
      headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=victim%40example.com&returnTo=%2Ftodoapp",
    }),
  );
  await res.body?.cancel();
  assert.equal(res.status, 421);
  assert.equal(res.headers.getSetCookie().length, 0);
  assert.deepEqual(await stored(), before);
});

Deno.test("local mode also answers the PUBLIC_URL host and the HOSTNAME it listens on", async () => {
  using test = await createTestApp({
    env: { PUBLIC_URL: "https://todo.example", HOSTNAME: "192.168.1.10" },
  });
  for (const origin of ["https://todo.example", "http://192.168.1.10:8000", TEST_ORIGIN]) {
    const res = await test.app.fetch(new Request(`${origin}/login`));
    await res.body?.cancel();
    assert.equal(res.status, 200, origin);
  }
  const other = await test.app.fetch(new Request("https://other.example/login"));
  await other.body?.cancel();
  assert.equal(other.status, 421);
});

Deno.test("Stytch mode with PUBLIC_URL answers any Host and builds nothing from it", async () => {
  using test = await createTestApp({ env: { ...STYTCH_ENV, PUBLIC_URL: "https://todo.example" } });
  const res = await test.app.fetch(
    new Request("https://preview-123.deno.dev/.well-known/oauth-protected-resource/mcp"),
  );
  assert.equal(res.status, 200);
  assert.equal((await res.json()).resource, "https://todo.example/mcp");
  assert.equal(res.headers.get("Cache-Control"), "public, max-age=300");
});

Deno.test("Stytch mode without PUBLIC_URL refuses other Hosts like local mode", async () => {
  using test = await createTestApp({ env: STYTCH_ENV });
  const res = await test.app.fetch(new Request("http://rebind.example:8000/login"));
  await res.body?.cancel();
  assert.equal(res.status, 421);
});

Deno.test("metadata built from the request's Host is never cached publicly", async () => {
  using test = await createTestApp();
  for (
    const path of [
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-authorization-server",
    ]
  ) {
    const res = await test.request(path);
    await res.body?.cancel();
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get("Cache-Control"), "no-store", path);
  }
});

Deno.test("every /api response is Cache-Control: no-store", async () => {
  using test = await createTestApp();
  const cookie = await test.signIn("ada@example.com");
  const responses = [
    await test.request("/api/todos", { headers: { Cookie: cookie } }),
    await test.request("/api/todos"),
    await test.request("/api/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV", { headers: { Cookie: cookie } }),
  ];
  assert.deepEqual(responses.map((res) => res.status), [200, 401, 404]);
  for (const res of responses) {
    await res.body?.cancel();
    assert.equal(res.headers.get("Cache-Control"), "no-store");
  }
});

/** Sends one raw HTTP/1.1 request (so the Host header goes out exactly as written). */
async function rawRequest(port: number, path: string, host: string | null): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = `GET ${path} HTTP/1.1\r\n${host === null ? "" : `Host: ${host}\r\n`}` +
    "Accept: text/html\r\nConnection: close\r\n\r\n";
  await conn.write(new TextEncoder().encode(head));
  const chunks: Uint8Array[] = [];
  for await (const chunk of conn.readable) chunks.push(chunk);
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

Deno.test("a malformed Host header is a 400 on every route, never a 500 or a logged error", async () => {
  using test = await createTestApp({ env: { PUBLIC_URL: "https://todo.example" } });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, test.app.fetch);
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    for (const host of ["", "a b", "user@evil.example", "todo.example/x", "x:99999", "x:abc"]) {
      for (const path of ["/", "/login", "/api/todos", "/mcp", "/oauth/jwks.json", "/styles.css"]) {
        const response = await rawRequest(server.addr.port, path, host);
        assert.match(response, /^HTTP\/1\.1 400 /, `${JSON.stringify(host)} ${path}`);
      }
    }
    const fine = await rawRequest(server.addr.port, "/login", `127.0.0.1:${server.addr.port}`);
    assert.match(fine, /^HTTP\/1\.1 200 /);
  } finally {
    console.error = original;
    await server.shutdown();
  }
  assert.deepEqual(logged, []);
});
