/** Which definitions a request's server gets, read from its JSON-RPC body. */
import assert from "node:assert/strict";
import { EVERYTHING, needsFor, needsOf } from "./needs.ts";
import { authInfoFor } from "./context.ts";

const call = (method: string, params: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id: 1,
  method,
  params,
});

Deno.test("a tools/call needs only the tool it names; tools/list needs every tool", () => {
  const one = needsOf(call("tools/call", { name: "listTodos" }));
  assert.deepEqual([...(one.tools as Set<string>)], ["listTodos"]);
  assert.equal(one.resources, false);
  assert.equal(one.prompts, false);
  assert.equal(needsOf(call("tools/list")).tools, "all");
  assert.deepEqual([...(needsOf(call("tools/call", { name: 5 })).tools as Set<string>)], []);
});

Deno.test("resource and prompt methods need those definitions; handshakes need none", () => {
  for (const method of ["resources/list", "resources/read", "resources/templates/list"]) {
    assert.deepEqual(needsOf(call(method)), {
      tools: new Set(),
      resources: true,
      prompts: false,
      capabilities: true,
    });
  }
  assert.deepEqual(needsOf(call("prompts/get")), {
    tools: new Set(),
    resources: false,
    prompts: true,
    capabilities: true,
  });
  for (const method of ["initialize", "ping", "server/discover", "notifications/initialized"]) {
    assert.deepEqual(needsOf(call(method)), {
      tools: new Set(),
      resources: false,
      prompts: false,
      capabilities: true,
    });
  }
});

Deno.test("a batch needs what each of its messages needs", () => {
  const needs = needsOf([
    call("tools/call", { name: "createTodo" }),
    call("tools/call", { name: "listTodos" }),
    call("prompts/get"),
  ]);
  assert.deepEqual([...(needs.tools as Set<string>)].sort(), ["createTodo", "listTodos"]);
  assert.equal(needs.prompts, true);
  assert.equal(needs.resources, false);
  assert.equal(needsOf([call("tools/call", { name: "x" }), call("tools/list")]).tools, "all");
});

Deno.test("only tool calls, alone or in a batch, leave out the capabilities but tools", () => {
  assert.equal(needsOf(call("tools/call", { name: "listTodos" })).capabilities, false);
  const calls = [call("tools/call", { name: "listTodos" }), call("tools/call", { name: "x" })];
  assert.equal(needsOf(calls).capabilities, false);
  for (const other of ["initialize", "tools/list", "ping", "server/discover", "resources/read"]) {
    assert.equal(needsOf([...calls, call(other)]).capabilities, true, other);
  }
  assert.equal(needsOf([]).capabilities, true);
  const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };
  assert.equal(needsOf([...calls, initialized]).capabilities, true);
  assert.deepEqual(needsOf([...calls, null]), EVERYTHING);
});

Deno.test("a body that is not JSON-RPC objects, or auth info that says nothing, gets everything", () => {
  for (const body of [null, 5, "text", [1, 2], [call("ping"), null]]) {
    assert.deepEqual(needsOf(body), EVERYTHING, JSON.stringify(body));
  }
  const grant = { userId: "user-1", clientId: "client-1", scopes: ["read:todos"] };
  const said = authInfoFor(grant, undefined, needsOf(call("ping")));
  assert.equal(needsFor(said).tools instanceof Set, true);
  assert.deepEqual(needsFor(authInfoFor(grant)), EVERYTHING);
  assert.deepEqual(needsFor(undefined), EVERYTHING);
});
