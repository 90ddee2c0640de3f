import assert from "node:assert/strict";
import { streamSlotsFor } from "../live/limits.ts";
import { openWatchCount } from "../live/changes.ts";
import { recordNotifications, startMcpTestEnv } from "../testing/mcp.ts";
import { createTodo, deleteTodo, updateTodo } from "../todos/mod.ts";
import { diff } from "./subscriptions.ts";
import { waitFor } from "../testing/wait.ts";

const FILTER = { resourcesListChanged: true, resourceSubscriptions: ["todoapp://todos"] };

Deno.test("2026-07-28 advertises resource subscriptions and list changes; 2025 does not", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a");
  const modern = await env.connectV2(token, "2026-07-28");
  const legacy = await env.connectV2(token, "legacy");
  try {
    assert.deepEqual(modern.getServerCapabilities()?.resources, {
      subscribe: true,
      listChanged: true,
    });
    assert.deepEqual(legacy.getServerCapabilities()?.resources, { listChanged: false });
  } finally {
    await modern.close();
    await legacy.close();
  }
});

Deno.test("listen() receives updated and list_changed for changes from MCP, REST and the store, only for its user", async () => {
  await using env = await startMcpTestEnv();
  const alice = await env.user("alice@example.com");
  const bob = await env.user("bob@example.com");
  const aliceClient = await env.connectV2(await env.token(alice.id), "2026-07-28");
  const bobClient = await env.connectV2(await env.token(bob.id), "2026-07-28");
  const aliceSeen = recordNotifications(aliceClient);
  const bobSeen = recordNotifications(bobClient);
  const kept = await createTodo(env.app.kv, alice.id, "kept");
  const aliceSub = await aliceClient.listen({
    ...FILTER,
    resourceSubscriptions: ["todoapp://todos", `todoapp://todos/${kept.id}`],
  });
  const bobSub = await bobClient.listen(FILTER);
  try {
    assert.deepEqual(aliceSub.honoredFilter, {
      resourcesListChanged: true,
      resourceSubscriptions: ["todoapp://todos", `todoapp://todos/${kept.id}`],
    });

    // An MCP tool call adds a todo: the list resource changed and its membership too.
    await aliceClient.callTool({ name: "createTodo", arguments: { todoText: "from MCP" } });
    await waitFor(() => aliceSeen.listChanged === 1, "list_changed after createTodo");
    assert.deepEqual(aliceSeen.updated, ["todoapp://todos"]); // the new todo's URI: not asked for

    // REST edits the subscribed todo: updated for the list and for that todo, no list change.
    const res = await env.app.request(`/api/todos/${kept.id}`, {
      method: "PATCH",
      headers: { Cookie: alice.cookie, "Content-Type": "application/json" },
      body: JSON.stringify({ completed: true }),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    await waitFor(() => aliceSeen.updated.length === 3, "updated after the REST change");
    assert.deepEqual(aliceSeen.updated.slice(1).sort(), [
      "todoapp://todos",
      `todoapp://todos/${kept.id}`,
    ]);
    assert.equal(aliceSeen.listChanged, 1);

    // Deleted through the store (any writer): updated for its URI and a list change.
    await deleteTodo(env.app.kv, alice.id, kept.id);
    await waitFor(() => aliceSeen.listChanged === 2, "list_changed after a delete");
    assert.ok(aliceSeen.updated.filter((uri) => uri.endsWith(kept.id)).length === 2);

    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(bobSeen, { updated: [], listChanged: 0 }, "Bob heard nothing of Alice's");

    await createTodo(env.app.kv, bob.id, "bob's");
    await waitFor(() => bobSeen.listChanged === 1, "Bob hears his own change");
    assert.equal(aliceSeen.listChanged, 2);
  } finally {
    await aliceSub.close();
    await bobSub.close();
    await aliceClient.close();
    await bobClient.close();
  }
  await waitFor(
    () => streamSlotsFor(env.app.kv, env.app.config.live).open === 0,
    "closed listens free their slots",
  );
  await waitFor(() => openWatchCount(env.app.kv) === 0, "and their watches");
});

Deno.test("listening needs the read scope", async () => {
  await using env = await startMcpTestEnv();
  const client = await env.connectV2(
    await env.token("user-w", { scope: "write:todos" }),
    "2026-07-28",
  );
  try {
    await assert.rejects(client.listen(FILTER), /scope|403|insufficient/i);
  } finally {
    await client.close();
  }
});

Deno.test("a newer listen stream of a user replaces their oldest, in a budget apart from page streams", async () => {
  await using env = await startMcpTestEnv({}, { live: { maxStreamsPerUser: 1 } });
  const client = await env.connectV2(await env.token("user-a"), "2026-07-28");
  const first = await client.listen(FILTER);
  const slots = streamSlotsFor(env.app.kv, env.app.config.live);
  const pageRelease = slots.acquire("user-a", { kind: "page", address: "192.0.2.1" });
  try {
    const second = await env.post(await env.token("user-a"), {
      jsonrpc: "2.0",
      id: 7,
      method: "subscriptions/listen",
      params: {
        notifications: FILTER,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    }, { "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "subscriptions/listen" });
    assert.equal(second.status, 200, "the newer stream is served");
    assert.deepEqual(
      slots.streams().map((s) => s.kind).sort(),
      ["mcp", "page"],
      "the older listen stream gave up its slot; the page stream kept its own",
    );
    await second.body?.cancel();
  } finally {
    pageRelease();
    await first.close();
    await client.close();
  }
});

Deno.test("diff() names changed, added and removed todos and says when membership changed", () => {
  const snap = (version: number, entries: [string, string][]) => ({
    version,
    todos: new Map(entries),
  });
  assert.deepEqual(diff(snap(1, [["a", "t1"]]), snap(2, [["a", "t1"]])), []);
  assert.deepEqual(diff(snap(1, [["a", "t1"]]), snap(2, [["a", "t2"]])), [
    { kind: "resource_updated", uri: "todoapp://todos" },
    { kind: "resource_updated", uri: "todoapp://todos/a" },
  ]);
  assert.deepEqual(diff(snap(1, [["a", "t1"]]), snap(2, [["b", "t1"]])), [
    { kind: "resource_updated", uri: "todoapp://todos" },
    { kind: "resource_updated", uri: "todoapp://todos/b" },
    { kind: "resource_updated", uri: "todoapp://todos/a" },
    { kind: "resources_list_changed" },
  ]);
});

Deno.test("updateTodo() through the store reaches a listener subscribed to that todo only", async () => {
  await using env = await startMcpTestEnv();
  const a = await createTodo(env.app.kv, "user-a", "a");
  const b = await createTodo(env.app.kv, "user-a", "b");
  const client = await env.connectV2(await env.token("user-a"), "2026-07-28");
  const seen = recordNotifications(client);
  const sub = await client.listen({ resourceSubscriptions: [`todoapp://todos/${a.id}`] });
  try {
    await updateTodo(env.app.kv, "user-a", b.id, { text: "b2" });
    await updateTodo(env.app.kv, "user-a", a.id, { text: "a2" });
    await waitFor(() => seen.updated.length === 1, "one notification");
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(seen, { updated: [`todoapp://todos/${a.id}`], listChanged: 0 });
  } finally {
    await sub.close();
    await client.close();
  }
});

Deno.test("a listen stream ends when the access token that opened it expires", async () => {
  await using env = await startMcpTestEnv();
  const token = await env.token("user-a", {
    claims: { exp: Math.floor(Date.now() / 1000) + 2 },
  });
  const client = await env.connectV2(token, "2026-07-28");
  try {
    const sub = await client.listen(FILTER);
    assert.equal(streamSlotsFor(env.app.kv, env.app.config.live).open, 1);
    const how = await Promise.race([
      sub.closed,
      new Promise((resolve) => setTimeout(() => resolve("still open"), 6000)),
    ]);
    assert.equal(how, "remote");
    await waitFor(
      () => streamSlotsFor(env.app.kv, env.app.config.live).open === 0,
      "its slot is freed",
    );
  } finally {
    await client.close();
  }
});
