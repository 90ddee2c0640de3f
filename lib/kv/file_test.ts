import assert from "node:assert/strict";
import { isLocalKvPath, secureKvFile, tightenFiles } from "./file.ts";

const modeOf = async (path: string) => (await Deno.stat(path)).mode! & 0o7777;

/** Writes through a real KV at `path` and returns the files SQLite left beside it. */
async function useKv(path: string): Promise<{ kv: Deno.Kv; files: string[] }> {
  const kv = await Deno.openKv(path);
  await kv.set(["k"], "v");
  const files = [];
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      await Deno.stat(path + suffix);
      files.push(path + suffix);
    } catch { /* not made */ }
  }
  return { kv, files };
}

Deno.test("secureKvFile() makes a new KV file's folder 0700 and the file and companions 0600", async () => {
  const root = await Deno.makeTempDir();
  try {
    const path = `${root}/data/todos.sqlite3`;
    assert.deepEqual(await secureKvFile(path), [], "nothing new needs tightening");
    const { kv, files } = await useKv(path);
    try {
      assert.equal(await modeOf(`${root}/data`), 0o700);
      assert.ok(files.includes(`${path}-wal`), "SQLite made its write-ahead log");
      for (const file of files) assert.equal(await modeOf(file), 0o600, file);
      assert.equal((await kv.get(["k"])).value, "v");
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("secureKvFile() tightens an existing folder and files others may read, and says which", async () => {
  const root = await Deno.makeTempDir();
  try {
    const folder = `${root}/data`;
    const path = `${folder}/todos.sqlite3`;
    await Deno.mkdir(folder, { mode: 0o755 });
    await Deno.chmod(folder, 0o755);
    const before = await useKv(path);
    before.kv.close();
    await Deno.chmod(path, 0o644);
    await Deno.writeTextFile(`${path}-wal`, "", { mode: 0o666 });
    await Deno.chmod(`${path}-wal`, 0o666);

    const tightened = await secureKvFile(path);
    assert.deepEqual(tightened, [
      `${folder}/ 0755->0700`,
      `${path} 0644->0600`,
      `${path}-wal 0666->0600`,
    ]);
    assert.equal(await modeOf(folder), 0o700);
    const { kv, files } = await useKv(path);
    try {
      for (const file of files) assert.equal(await modeOf(file), 0o600, file);
      assert.equal((await kv.get(["k"])).value, "v", "the data survived");
      assert.deepEqual(await tightenFiles(path), [], "nothing left to tighten");
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("secureKvFile() leaves a shared sticky folder such as /tmp open, but not the file", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.chmod(root, 0o1777);
    const path = `${root}/todos.sqlite3`;
    await Deno.writeTextFile(path, "", { mode: 0o644 });
    await Deno.chmod(path, 0o644);
    assert.deepEqual(await secureKvFile(path), [`${path} 0644->0600`]);
    assert.equal(await modeOf(root), 0o1777);
    assert.equal(await modeOf(path), 0o600);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("isLocalKvPath() is false for :memory:, remote URLs and the platform default", () => {
  assert.equal(isLocalKvPath("./data/todos.sqlite3"), true);
  for (const path of [":memory:", "https://api.deno.com/databases/x/connect", undefined, ""]) {
    assert.equal(isLocalKvPath(path), false, String(path));
  }
});
