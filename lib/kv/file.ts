/**
 * Owner-only permissions for a local Deno KV file: it holds the OAuth signing key and every
 * token hash, so its folder is 0700 and the file and its SQLite companions are 0600.
 */

/** SQLite's companions of a database file (write-ahead log, shared memory, rollback journal). */
const COMPANIONS = ["-wal", "-shm", "-journal"];
const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

/** True when `path` names a local file (not `:memory:`, not a remote URL, not the default). */
export function isLocalKvPath(path: string | undefined): path is string {
  return !!path && path !== ":memory:" && !path.includes("://");
}

/**
 * Prepares `path` before `Deno.openKv`: makes its folder 0700 and the file 0600 (created
 * empty when missing, so SQLite gives its companions the same mode), and tightens an existing
 * folder or file that others may read. Returns what it tightened, e.g. `["data/ 0755->0700"]`.
 */
export async function secureKvFile(path: string): Promise<string[]> {
  const folder = new URL(".", new URL(path, `file://${Deno.cwd()}/`));
  const tightened: string[] = [];
  try {
    await Deno.mkdir(folder, { mode: FOLDER_MODE });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) {
      // Parents are missing: make them (umask applies), the KV file's own folder 0700.
      await Deno.mkdir(folder, { recursive: true, mode: FOLDER_MODE });
    }
  }
  // Windows has no POSIX modes: files there inherit the folder's access control list.
  if (Deno.build.os === "windows") return tightened;
  // The working directory or a shared sticky folder such as /tmp is not ours to close.
  const folderInfo = await Deno.stat(folder);
  const isCwd = folder.pathname.replace(/\/$/, "") === Deno.cwd();
  if (!isCwd && !((folderInfo.mode ?? 0) & 0o1000)) {
    await tighten(folder, folderInfo.mode, FOLDER_MODE, `${displayFolder(path)}/`, tightened);
  }
  try {
    (await Deno.open(path, { createNew: true, write: true, mode: FILE_MODE })).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  await tightenFiles(path, tightened);
  return tightened;
}

/**
 * Tightens the KV file and any SQLite companion that exists to 0600 (after `Deno.openKv`,
 * for companions SQLite made from a file that used to be readable by others).
 */
export async function tightenFiles(path: string, tightened: string[] = []): Promise<string[]> {
  if (Deno.build.os === "windows") return tightened;
  for (const file of [path, ...COMPANIONS.map((suffix) => path + suffix)]) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(file);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    await tighten(file, info.mode, FILE_MODE, file, tightened);
  }
  return tightened;
}

async function tighten(
  target: string | URL,
  mode: number | null,
  wanted: number,
  name: string,
  tightened: string[],
) {
  const current = (mode ?? 0) & 0o777;
  if ((current & ~wanted) === 0) return;
  await Deno.chmod(target, (mode ?? 0) & 0o7000 | (current & wanted));
  tightened.push(`${name} ${octal(current)}->${octal(current & wanted)}`);
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, "0")}`;

function displayFolder(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : path.slice(0, slash) || "/";
}
