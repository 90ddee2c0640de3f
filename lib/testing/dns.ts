/**
 * A tiny DNS server on loopback UDP for tests: answers A and AAAA questions from a fixed
 * table, so that real resolver code (`Deno.resolveDns`) can be pointed at it instead of the
 * outside world.
 */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";

/** Host name -> its addresses, as 4-byte (A) or 16-byte (AAAA) arrays. */
export type DnsTable = Record<string, number[][]>;

export interface TestDnsServer extends AsyncDisposable {
  /** Where `Deno.resolveDns` should send its questions. */
  nameServer: { ipAddr: string; port: number };
  /** Every name asked about, in order. */
  asked: string[];
}

const A = 1;
const AAAA = 28;

/** Starts the server; `await using` stops it. */
export async function startTestDns(table: DnsTable): Promise<TestDnsServer> {
  const socket = dgram.createSocket("udp4");
  const asked: string[] = [];
  socket.on("message", (query: Buffer, from: { port: number; address: string }) => {
    const answer = respond(query, table, asked);
    if (answer) socket.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  return {
    nameServer: { ipAddr: "127.0.0.1", port: socket.address().port },
    asked,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** The reply to one query (RFC 1035 §4.1): its question, then the matching records. */
function respond(query: Buffer, table: DnsTable, asked: string[]): Buffer | null {
  if (query.length < 17) return null;
  const labels: string[] = [];
  let at = 12;
  while (at < query.length && query[at] !== 0) {
    labels.push(query.subarray(at + 1, at + 1 + query[at]).toString("latin1"));
    at += query[at] + 1;
  }
  if (at + 5 > query.length) return null;
  const type = query.readUInt16BE(at + 1);
  const name = labels.join(".").toLowerCase();
  asked.push(name);
  const size = type === A ? 4 : type === AAAA ? 16 : -1;
  const records = (table[name] ?? []).filter((address) => address.length === size);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(name in table ? 0x8180 : 0x8183, 2); // response; NXDOMAIN if unknown
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((address) => {
    const record = Buffer.alloc(12 + size);
    record.writeUInt16BE(0xc00c, 0); // the name in the question
    record.writeUInt16BE(type, 2);
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(60, 6); // TTL
    record.writeUInt16BE(size, 10);
    Buffer.from(address).copy(record, 12);
    return record;
  });
  return Buffer.concat([header, query.subarray(12, at + 5), ...answers]);
}
