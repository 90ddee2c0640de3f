import assert from "node:assert/strict";
import { findParamsProblems, restateParamsErrors } from "./params.ts";

const TOOLS = ["listTodos", "createTodo"];
const request = (id: number, method: string, params?: unknown) => ({
  jsonrpc: "2.0",
  id,
  method,
  params,
});

Deno.test("findParamsProblems() passes requests that fit and notifications", () => {
  for (
    const body of [
      request(1, "tools/call", { name: "listTodos" }),
      request(2, "tools/call", { name: "createTodo", arguments: { todoText: "x" } }),
      request(3, "resources/read", { uri: "todoapp://todos" }),
      request(4, "prompts/get", { name: "reviewOpenTodos", arguments: { focus: "today" } }),
      request(5, "tools/list"),
      { jsonrpc: "2.0", method: "tools/call", params: {} },
      [request(6, "ping"), request(7, "tools/call", { name: "listTodos", arguments: {} })],
      null,
    ]
  ) {
    assert.equal(findParamsProblems(body, TOOLS), null, JSON.stringify(body));
  }
});

Deno.test("findParamsProblems() names what is wrong with each request, by id", () => {
  const problems = findParamsProblems([
    request(1, "tools/call", {}),
    request("two" as unknown as number, "tools/call", { name: "listTodos", arguments: [] }),
    request(3, "tools/call", { name: "explode" }),
    request(4, "resources/read", { uri: "::::" }),
    request(5, "prompts/get", { name: "reviewOpenTodos", arguments: { focus: 5 } }),
    request(6, "tools/call", { name: "listTodos" }),
  ], TOOLS);
  assert.deepEqual([...problems!.keys()], [1, "two", 3, 4, 5]);
  assert.match(problems!.get(1)!, /params\.name/);
  assert.match(problems!.get("two")!, /params\.arguments must be an object/);
  assert.match(problems!.get(3)!, /Unknown tool: "explode". This server's tools are listTodos/);
  assert.match(problems!.get(4)!, /params\.uri must be a URI/);
  assert.match(problems!.get(5)!, /params\.arguments\.focus must be a string/);
});

Deno.test("restateParamsErrors() restates only the flagged requests' -32602/-32603 errors", async () => {
  const answer = [
    { jsonrpc: "2.0", id: 1, error: { code: -32603, message: "[\n {zod dump} ]" } },
    { jsonrpc: "2.0", id: 2, error: { code: -32020, message: "header mismatch" } },
    { jsonrpc: "2.0", id: 3, result: {} },
  ];
  const response = await restateParamsErrors(
    Response.json(answer, { status: 200, headers: { "X-Kept": "yes" } }),
    new Map<string | number, string>([[1, "Invalid params: one line."], [2, "no"], [3, "no"]]),
  );
  assert.equal(response.headers.get("X-Kept"), "yes");
  assert.deepEqual(await response.json(), [
    { jsonrpc: "2.0", id: 1, error: { code: -32602, message: "Invalid params: one line." } },
    answer[1],
    answer[2],
  ]);
});
