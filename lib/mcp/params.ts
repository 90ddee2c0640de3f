/**
 * One clear line for requests whose params do not fit their method. The SDK answers some of
 * these with -32603 Internal error and a multi-line zod dump (`resources/read` without a
 * `uri`, `prompts/get` with non-string arguments), others with -32602 and the same dump, and
 * an unknown tool with a bare "Tool x not found". A cheap shape check (no schema parse) finds
 * such requests before dispatch; only then is the SDK's answer read, and its error for each
 * of them restated as -32602 with the message below. Every other answer passes untouched.
 */
import { isObject } from "./json_object.ts";

/** The problem with each request in `body` whose params do not fit, by request id. */
export function findParamsProblems(
  body: unknown,
  tools: readonly string[],
): Map<string | number, string> | null {
  let problems: Map<string | number, string> | null = null;
  for (const message of Array.isArray(body) ? body : [body]) {
    if (typeof message !== "object" || message === null) continue;
    const { id, method, params } = message as { id?: unknown; method?: unknown; params?: unknown };
    if (typeof id !== "string" && typeof id !== "number") continue;
    const problem = paramsProblem(method, params, tools);
    if (problem !== null) (problems ??= new Map()).set(id, problem);
  }
  return problems;
}

function paramsProblem(method: unknown, params: unknown, tools: readonly string[]): string | null {
  const p = (isObject(params) ? params : {}) as Record<string, unknown>;
  switch (method) {
    case "tools/call":
      if (typeof p.name !== "string") {
        return "Invalid params for tools/call: params.name must be a tool name (a string).";
      }
      if (p.arguments !== undefined && !isObject(p.arguments)) {
        return "Invalid params for tools/call: params.arguments must be an object.";
      }
      if (!tools.includes(p.name)) {
        return `Unknown tool: ${JSON.stringify(p.name.slice(0, 100))}. ` +
          `This server's tools are ${tools.join(", ")}.`;
      }
      return null;
    case "resources/read":
      if (typeof p.uri !== "string" || !URL.canParse(p.uri)) {
        return "Invalid params for resources/read: params.uri must be a URI (a string).";
      }
      return null;
    case "prompts/get":
      if (typeof p.name !== "string") {
        return "Invalid params for prompts/get: params.name must be a prompt name (a string).";
      }
      if (
        p.arguments !== undefined &&
        (!isObject(p.arguments) || Object.values(p.arguments).some((v) => typeof v !== "string"))
      ) {
        const bad = isObject(p.arguments)
          ? Object.entries(p.arguments).find(([, v]) => typeof v !== "string")?.[0]
          : undefined;
        return `Invalid params for prompts/get: params.arguments${
          bad ? `.${bad.slice(0, 100)}` : ""
        } must be a string (prompt arguments are strings).`;
      }
      return null;
    default:
      return null;
  }
}

/** The SDK's JSON answer with the errors of the requests in `problems` restated. */
export async function restateParamsErrors(
  response: Response,
  problems: Map<string | number, string>,
): Promise<Response> {
  if (!response.headers.get("Content-Type")?.includes("application/json")) return response;
  const answer = await response.json();
  for (const message of Array.isArray(answer) ? answer : [answer]) {
    const code = message?.error?.code;
    const problem = problems.get(message?.id);
    if (problem !== undefined && (code === -32602 || code === -32603)) {
      message.error = { code: -32602, message: problem };
    }
  }
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  return Response.json(answer, { status: response.status, headers });
}
