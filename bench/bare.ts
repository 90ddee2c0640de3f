/**
 * The baseline of the benchmark (run as a subprocess by bench/main.ts): a bare
 * `Deno.serve` that answers every request with one `kv.list` of the user `Deno.args[1]`'s
 * todos in the KV file `Deno.args[0]`, as JSON. No routing, no auth, no compression: the
 * limit for list-shaped work, and the baseline of the cold start (bench/cold_start.ts), which
 * names the port. Prints one JSON line, `{origin}`; runs until killed.
 */
import { todosPrefix } from "../lib/todos/keys.ts";

const [kvPath, userId, port = "0"] = Deno.args;
if (!kvPath || !userId) throw new Error("usage: bare.ts <kv path> <user id> [port]");

const kv = await Deno.openKv(kvPath);
const server = Deno.serve(
  { hostname: "127.0.0.1", port: Number(port), onListen() {} },
  async () => {
    const todos = [];
    for await (const entry of kv.list({ prefix: todosPrefix(userId) }, { batchSize: 500 })) {
      todos.push(entry.value);
    }
    return Response.json({ todos });
  },
);
console.log(JSON.stringify({ origin: `http://127.0.0.1:${server.addr.port}` }));
