import type { Context } from "hono";
import type { z } from "zod";
import { InvalidJsonError, UnsupportedMediaTypeError, ValidationError } from "../errors.ts";

/**
 * Reads a JSON request body and validates it with `schema`: 415 for another media type,
 * 400 for malformed JSON or a body that does not fit, naming the first problem.
 */
export async function readJsonBody<T extends z.ZodType>(
  c: Context,
  schema: T,
): Promise<z.infer<T>> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new UnsupportedMediaTypeError("application/json");
  }
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new InvalidJsonError("Request body is not valid JSON.");
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw new ValidationError(`${where}${issue.message}`);
  }
  return result.data;
}
