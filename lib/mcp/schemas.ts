/**
 * Zod schemas for the SDK with their JSON Schemas built once per isolate. The SDK converts a
 * tool's schemas to JSON Schema on every server instance it lists or calls a tool on, and
 * serving is one instance per request; this wrapper converts once and hands out the result.
 */
import type { z } from "zod";
import type { StandardSchemaWithJSON } from "./sdk.ts";

/** `schema`, validating as zod does, with each JSON Schema conversion done once. */
export function withCachedJsonSchema<T extends z.ZodType>(
  schema: T,
): StandardSchemaWithJSON<z.input<T>, z.output<T>> {
  const standard = schema["~standard"];
  const converted = new Map<string, Record<string, unknown>>();
  const convert = (io: "input" | "output") => (options: { target: string }) => {
    const key = `${io} ${options.target}`;
    let json = converted.get(key);
    if (!json) {
      json = standard.jsonSchema[io](options as Parameters<typeof standard.jsonSchema.input>[0]);
      converted.set(key, json);
    }
    return json;
  };
  return {
    "~standard": {
      version: 1,
      vendor: standard.vendor,
      validate: (value) =>
        standard.validate(value) as ReturnType<
          StandardSchemaWithJSON<z.input<T>, z.output<T>>["~standard"]["validate"]
        >,
      jsonSchema: { input: convert("input"), output: convert("output") },
    },
  };
}
