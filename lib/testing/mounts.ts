/**
 * Real file-system faults for storage tests: a tiny tmpfs that fills up, and a read-only bind
 * mount. Both need the right to mount (root with CAP_SYS_ADMIN, as in this project's CI and
 * dev container); {@linkcode CAN_MOUNT} is false elsewhere and those tests are skipped. Tests
 * run as root, so a read-only file mode would not stop a write: a read-only mount does.
 */

async function run(command: string, ...args: string[]): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, { args, stderr: "null", stdout: "null" })
      .output();
    return success;
  } catch {
    return false;
  }
}

async function probeMount(): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  const dir = await Deno.makeTempDir();
  try {
    if (!(await run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir))) return false;
    return await run("umount", dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** True when this process may mount file systems (the tests below need it). */
export const CAN_MOUNT: boolean = await probeMount();

/** A fresh tmpfs of `sizeKiB` KiB at a new folder; disposing unmounts and removes it. */
export async function smallDisk(sizeKiB: number): Promise<AsyncDisposable & { dir: string }> {
  const dir = await Deno.makeTempDir();
  if (!(await run("mount", "-t", "tmpfs", "-o", `size=${sizeKiB}k,mode=0700`, "tmpfs", dir))) {
    throw new Error(`could not mount a tmpfs at ${dir}`);
  }
  return {
    dir,
    async [Symbol.asyncDispose]() {
      await run("umount", "-l", dir);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Makes `dir` read-only by bind-mounting it onto itself read-only; disposing undoes it. */
export async function readOnly(dir: string): Promise<AsyncDisposable> {
  if (
    !(await run("mount", "--bind", dir, dir)) ||
    !(await run("mount", "-o", "remount,bind,ro", dir))
  ) {
    await run("umount", dir);
    throw new Error(`could not make ${dir} read-only`);
  }
  return { [Symbol.asyncDispose]: async () => void await run("umount", "-l", dir) };
}

/** Fills the disk that holds `dir` with one file, returning its path (remove it to free space). */
export async function fillDisk(dir: string): Promise<string> {
  const path = `${dir}/filler`;
  const file = await Deno.open(path, { write: true, create: true });
  const chunk = new Uint8Array(4096);
  try {
    while (true) await file.write(chunk);
  } catch (error) {
    if (!String(error).includes("os error 28")) throw error;
  } finally {
    file.close();
  }
  return path;
}
