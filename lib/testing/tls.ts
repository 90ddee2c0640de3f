/**
 * A throwaway certificate authority and a server certificate for test host names, made with
 * `openssl`, so that real TLS (name checks included) runs on loopback without the outside
 * world. Nothing is trusted outside the test that passes `ca` on.
 */

/** PEM texts: the CA's certificate, and a server certificate and key for the names. */
export interface TestCertificates {
  ca: string;
  cert: string;
  key: string;
}

async function openssl(cwd: string, ...args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("openssl", { args, cwd, stdout: "null" })
    .output();
  if (!success) throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(stderr)}`);
}

/** A fresh CA and a certificate it signed for `names` (DNS subject alternative names). */
export async function makeTestCertificates(names: string[]): Promise<TestCertificates> {
  const dir = await Deno.makeTempDir();
  try {
    const subject = ["-subj", "/CN=test"];
    await openssl(
      dir,
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "1",
      ...subject,
    );
    await openssl(
      dir,
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      ...subject,
    );
    await Deno.writeTextFile(
      `${dir}/ext`,
      `subjectAltName=${names.map((name) => `DNS:${name}`).join(",")}\n`,
    );
    await openssl(
      dir,
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "1",
      "-extfile",
      "ext",
    );
    const read = (name: string) => Deno.readTextFile(`${dir}/${name}`);
    return {
      ca: await read("ca.pem"),
      cert: await read("server.pem"),
      key: await read("server.key"),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
