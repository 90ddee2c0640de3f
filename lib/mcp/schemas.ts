/**
 * Zod schemas for the SDK with their JSON Schemas built once per isolate. The SDK converts a
 * tool's schemas to JSON Schema on every server instance it lists or calls a tool on, and
 * serving is one instance per request; these wrappers convert once and hand out the result.
 */
import type { z } from "zod";
import type { StandardSchemaWithJSON } from "./sdk.ts";

/** `schema`, validating as zod does, with each JSON Schema conversion done once. */
export function withCachedJsonSchema<T extends z.ZodType>(
  schema: T,
  { trusted = false }: { trusted?: boolean } = {},
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
      validate: trusted
        ? (value) => ({ value: value as z.output<T> })
        : (value) =>
          standard.validate(value) as ReturnType<
            StandardSchemaWithJSON<z.input<T>, z.output<T>>["~standard"]["validate"]
          >,
      jsonSchema: { input: convert("input"), output: convert("output") },
    },
  };
}

/**
 * A tool's output schema: advertised in `tools/list`, not re-checked on every call. The
 * values are this server's own (typed by the handlers), and a copy of 100 todos through zod
 * on each call cost more than the rest of the tool; clients check results against the
 * advertised schema, and the tests call every tool through clients of both SDKs that do.
 */
export function outputSchema<T extends z.ZodType>(
  schema: T,
): StandardSchemaWithJSON<z.input<T>, z.output<T>> {
  return withCachedJsonSchema(schema, { trusted: true });
}
