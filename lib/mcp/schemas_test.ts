import assert from "node:assert/strict";
import { z } from "zod";
import { outputSchema, withCachedJsonSchema } from "./schemas.ts";

const target = { target: "draft-2020-12" } as const;

Deno.test("withCachedJsonSchema() converts to JSON Schema once and validates as zod does", async () => {
  const schema = withCachedJsonSchema(z.object({ todoText: z.string({ error: "must be text" }) }));
  const first = schema["~standard"].jsonSchema.input(target);
  assert.equal(schema["~standard"].jsonSchema.input(target), first);
  assert.deepEqual(first.required, ["todoText"]);
  assert.notEqual(schema["~standard"].jsonSchema.output(target), first);

  const bad = await schema["~standard"].validate({ todoText: 5 });
  assert.deepEqual(bad.issues?.map((issue) => [issue.path, issue.message]), [
    [["todoText"], "must be text"],
  ]);
  assert.deepEqual(await schema["~standard"].validate({ todoText: "x" }), {
    value: { todoText: "x" },
  });
});

Deno.test("outputSchema() advertises the schema and passes the server's own values through", async () => {
  const schema = outputSchema(z.object({ count: z.number() }));
  assert.equal(schema["~standard"].jsonSchema.output(target).type, "object");
  const value = { count: 3 };
  const result = await schema["~standard"].validate(value);
  assert.equal((result as { value: unknown }).value, value);
});
