import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN } from "../testing/app.ts";
import { createLeakTree, leaksSecret, rawGet, SECRETS } from "../testing/static_attacks.ts";

/**
 * Request targets that try to leave `static/` or reach a file it must not serve, by class.
 * Each is a 404 (never a 5xx, never a file's content).
 */
const ATTACKS: [inputClass: string, target: string][] = [
  ["dot segments", "/../deno.json"],
  ["dot segments", "/_islands/../../deno.json"],
  ["dot segments", "/./.././README.md"],
  ["encoded dots", "/%2e%2e/deno.json"],
  ["encoded dots", "/%2E%2E/README.md"],
  ["encoded dots", "/.%2e/deno.json"],
  ["encoded slash", "/..%2fdeno.json"],
  ["encoded slash", "/%2e%2e%2fdeno.json"],
  ["double encoding", "/%252e%252e/deno.json"],
  ["double encoding", "/%252e%252e%252fREADME.md"],
  ["double encoding", "/..%252fdeno.json"],
  ["double encoding", "/_islands/%252e%252e/%252e%252e/deno.json"],
  ["triple encoding", "/%25252e%25252e/deno.json"],
  ["triple encoding", "/%25252e%25252e%25252fREADME.md"],
  ["backslashes", "/..\\deno.json"],
  ["backslashes", "/..%5cdeno.json"],
  ["backslashes", "/%252e%252e%255cdeno.json"],
  ["overlong UTF-8", "/%c0%ae%c0%ae/deno.json"],
  ["overlong UTF-8", "/%c0%ae%c0%ae%c0%afREADME.md"],
  ["overlong UTF-8", "/%e0%80%ae%e0%80%ae/deno.json"],
  ["overlong UTF-8", "/%25c0%25ae%25c0%25ae/deno.json"],
  ["IIS %u and full-width dots", "/%u002e%u002e/deno.json"],
  ["IIS %u and full-width dots", "/%ef%bc%8e%ef%bc%8e/deno.json"],
  ["NUL", "/%252e%252e/deno.json%00.css"],
  ["NUL", "/%252e%252e/deno.json%2500.css"],
  ["NUL", "/styles.css%00"],
  ["encoded ? smuggling the extension", "/%252e%252e/README.md%3f.css"],
  ["encoded ? smuggling the extension", "/%252e%252e/%252egit/HEAD%3F.txt"],
  ["encoded ? smuggling the extension", "/%252e%252e/%252eenv%3f.css"],
  ["encoded ? smuggling the extension", "/%252e%252e/%252egit/HEAD%253F.txt"],
  ["encoded # smuggling the extension", "/%252e%252e/%252egit/HEAD%23.css"],
  ["encoded # smuggling the extension", "/%252e%252e/%252eenv%2523.css"],
  ["encoded # smuggling the extension", "/%252e%252e/data/todos.sqlite3%23.css"],
  ["hidden files", "/.git/HEAD"],
  ["hidden files", "/%2egit/HEAD"],
  ["hidden files", "/%252egit/HEAD%3f.txt"],
  ["hidden files", "/.env"],
  ["absolute paths", "//etc/passwd"],
  ["absolute paths", "/%2fetc%2fpasswd"],
  ["absolute paths", "/%252fetc%252fpasswd%3f.txt"],
  ["mixed case", "/STYLES.CSS"],
  ["mixed case", "/Styles.css"],
  ["trailing dots and slashes", "/styles.css."],
  ["trailing dots and slashes", "/styles.css/"],
  ["trailing dots and slashes", "/styles.css%2e"],
  ["encoded spelling of a served file", "/styles%2ecss"],
  ["encoded spelling of a served file", "/%73tyles.css"],
  ["the build's own files", "/_islands/manifest.json"],
  ["the build's own files", "/_islands/.lock"],
  ["the build's own files", "/_islands/.tmp/x.js"],
  ["broken escapes", "/%/deno.json"],
  ["broken escapes", "/%zz%2e%2e/deno.json"],
  ["broken escapes", "/%ff%fe.css"],
];

/** Text of the project's own files outside static/ that must never appear in a response. */
async function projectSecrets(): Promise<string[]> {
  const root = new URL("../../", import.meta.url);
  const texts = [];
  for (const file of ["deno.json", "README.md", ".git/HEAD", ".env"]) {
    const text = await Deno.readTextFile(new URL(file, root)).catch(() => null);
    if (text) texts.push(text.slice(0, 60));
  }
  return texts;
}

Deno.test("static files: every attack spelling is a 404 through app.fetch, with nothing from outside static/", async () => {
  using test = await createTestApp();
  const secrets = await projectSecrets();
  const served = [];
  for (const [inputClass, target] of ATTACKS) {
    // Absolute, so `//x` stays a path (relative to the origin it would name a host).
    const res = await test.request(`${TEST_ORIGIN}${target}`);
    const body = await res.text();
    if (res.status !== 404 || secrets.some((s) => body.includes(s))) {
      served.push(`${inputClass}: ${target} -> ${res.status}`);
    }
  }
  assert.deepEqual(served, []);
});

Deno.test("static files: every attack spelling is a 404 from a real server over raw TCP", async () => {
  using test = await createTestApp();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, test.app.fetch);
  const secrets = await projectSecrets();
  const served = [];
  try {
    for (const [inputClass, target] of ATTACKS) {
      const { status, text } = await rawGet(server.addr.port, target);
      if (status !== 404 || secrets.some((s) => text.includes(s))) {
        served.push(`${inputClass}: ${target} -> ${status}`);
      }
    }
  } finally {
    await server.shutdown();
  }
  assert.deepEqual(served, []);
});

Deno.test("static files: .env, deno.json, .git/HEAD and the KV file beside static/ are never served", async () => {
  await using tree = await createLeakTree();
  const served = [];
  for (const [inputClass, target] of ATTACKS) {
    const raw = await rawGet(tree.port, target);
    if (raw.status !== 404 || leaksSecret(raw.text)) {
      served.push(`raw ${inputClass}: ${target} -> ${raw.status}`);
    }
    const res = await tree.app.request(`http://localhost${target}`);
    const body = await res.text();
    if (res.status !== 404 || leaksSecret(body)) {
      served.push(`app.fetch ${inputClass}: ${target} -> ${res.status}`);
    }
  }
  assert.deepEqual(served, []);
  // The tree's own files are served, so the 404s above are not a handler that serves nothing.
  const css = await rawGet(tree.port, "/styles.css");
  assert.equal(css.status, 200);
  assert.match(css.text, /color: black/);
  assert.ok(Object.keys(SECRETS).length >= 5);
});
