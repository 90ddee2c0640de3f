import assert from "node:assert/strict";
import { CAN_MOUNT, fillDisk, readOnly, smallDisk } from "../testing/mounts.ts";
import { openStore, START_CHECK_KEY, StoreStartError } from "./open.ts";

const refusedAs = (fault: string, message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof StoreStartError, String(error));
  assert.equal(error.fault, fault);
  assert.match(error.message, message);
  return true;
};

Deno.test("a corrupt KV file stops start-up naming KV_PATH and saying what to do", async () => {
  const root = await Deno.makeTempDir();
  const path = `${root}/todos.sqlite3`;
  try {
    await Deno.writeFile(path, crypto.getRandomValues(new Uint8Array(8192)));
    await assert.rejects(
      () => openStore(path),
      refusedAs("corrupt", new RegExp(`^Cannot start: KV_PATH=${path} is not a readable .* aside`)),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a good KV file opens, passes the start-up check and keeps its data", async () => {
  const root = await Deno.makeTempDir();
  const path = `${root}/todos.sqlite3`;
  try {
    const first = await openStore(path);
    await first.kv.set(["a"], "kept");
    first.kv.close();
    const { kv } = await openStore(path);
    assert.equal((await kv.get(["a"])).value, "kept");
    assert.equal(typeof (await kv.get(START_CHECK_KEY)).value, "number");
    kv.close();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name: "a read-only data folder stops start-up (existing file or new) naming KV_PATH",
  ignore: !CAN_MOUNT,
  async fn() {
    const root = await Deno.makeTempDir();
    try {
      (await openStore(`${root}/todos.sqlite3`)).kv.close();
      await using _ro = await readOnly(root);
      for (const path of [`${root}/todos.sqlite3`, `${root}/new/todos.sqlite3`]) {
        await assert.rejects(
          () => openStore(path),
          refusedAs(
            "read_only",
            new RegExp(`^Cannot start: KV_PATH=${path} or its folder is read-only`),
          ),
        );
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "a full disk stops start-up naming KV_PATH",
  ignore: !CAN_MOUNT,
  async fn() {
    await using disk = await smallDisk(256);
    await fillDisk(disk.dir);
    const path = `${disk.dir}/todos.sqlite3`;
    await assert.rejects(() => openStore(path), refusedAs("full", /KV_PATH=.* is full/));
  },
});
