/**
 * Storage faults as `deno task start` meets them, in a real process on a real KV file: a
 * corrupt file or a read-only data folder stops start-up with one message naming KV_PATH (no
 * stack), and a data folder deleted under the running server turns writes into 503s instead
 * of acknowledgements that a restart would lose.
 */
import assert from "node:assert/strict";
import { CAN_MOUNT, readOnly } from "./lib/testing/mounts.ts";
import { freePort, runMainToExit, spawnMain } from "./lib/testing/main_process.ts";

const LOCAL_MODE = { DENO_DEPLOYMENT_ID: "", HOSTNAME: "127.0.0.1", STYTCH_PROJECT_ID: "" };

/** A fresh folder under ./data (where `deno task start` may write) and its KV_PATH. */
async function dataFolder(): Promise<AsyncDisposable & { dir: string; kvPath: string }> {
  const name = `test-storage-${crypto.randomUUID()}`;
  const dir = new URL(`./data/${name}`, import.meta.url).pathname;
  await Deno.mkdir(dir, { recursive: true });
  return {
    dir,
    kvPath: `./data/${name}/todos.sqlite3`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
  };
}

/** Runs main.ts to its exit (bounded) and returns its code and everything it printed. */
function start(kvPath: string) {
  return runMainToExit({ env: { ...LOCAL_MODE, PORT: String(freePort()), KV_PATH: kvPath } });
}

Deno.test("main.ts on a corrupt KV file exits with one line naming KV_PATH, no stack", async () => {
  await using data = await dataFolder();
  await Deno.writeFile(`${data.dir}/todos.sqlite3`, crypto.getRandomValues(new Uint8Array(8192)));
  const { code, output } = await start(data.kvPath);
  assert.equal(code, 1);
  assert.equal(output.split("\n").length, 1, output);
  assert.match(
    output,
    /^Cannot start: KV_PATH=\.\/data\/test-storage-.*todos\.sqlite3 is not a readable Deno KV file: move it aside/,
  );
});

Deno.test({
  name: "main.ts on a read-only data folder exits with one line naming KV_PATH, no stack",
  ignore: !CAN_MOUNT,
  async fn() {
    await using data = await dataFolder();
    await Deno.chmod(data.dir, 0o700);
    await using _ro = await readOnly(data.dir);
    const { code, output } = await start(data.kvPath);
    assert.equal(code, 1);
    assert.equal(output.split("\n").length, 1, output);
    assert.match(output, /^Cannot start: KV_PATH=.*todos\.sqlite3 or its folder is read-only/);
  },
});

Deno.test("a data folder deleted under the running server: writes answer 503, never 201", async () => {
  await using data = await dataFolder();
  const port = freePort();
  const child = spawnMain({ env: { ...LOCAL_MODE, PORT: String(port), KV_PATH: data.kvPath } });
  const stderr = new Response(child.stderr).text();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    for (let out = ""; !/Todo app /.test(out);) {
      const { value, done } = await reader.read();
      assert.ok(!done, `main.ts ended before listening: ${out}`);
      out += value;
    }
    reader.releaseLock();
    child.stdout.cancel().catch(() => {});

    const origin = `http://127.0.0.1:${port}`;
    const signIn = await fetch(`${origin}/login`, {
      method: "POST",
      headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=ada%40example.com&returnTo=%2Ftodoapp",
      redirect: "manual",
    });
    await signIn.body?.cancel();
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const create = (todoText: string) =>
      fetch(`${origin}/api/todos`, {
        method: "POST",
        headers: { Origin: origin, Cookie: cookie, "Content-Type": "application/json" },
        body: JSON.stringify({ todoText }),
      });

    const before = await create("kept");
    assert.equal(before.status, 201, await before.text());
    await Deno.remove(data.dir, { recursive: true });
    for (const text of ["lost 1", "lost 2", "lost 3"]) {
      const refused = await create(text);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get("Retry-After"), "60");
      const body = await refused.json();
      assert.equal(body.error.code, "service_unavailable");
      assert.match(body.error.message, /nothing was saved/);
    }
    const list = await fetch(`${origin}/api/todos`, { headers: { Cookie: cookie } });
    const texts = (await list.json()).todos.map((todo: { text: string }) => todo.text);
    assert.deepEqual(texts, ["kept"], "reads go on; no refused write shows");
  } finally {
    child.kill();
    await child.status;
  }
  const log = (await stderr).split("\n").filter((line) => /storage|sqlite|^\s+at /i.test(line));
  assert.equal(log.length, 1, `one line for three refused writes:\n${log.join("\n")}`);
  assert.match(log[0], /todos\.sqlite3 was deleted or replaced .* restart the app/);
});
