/**
 * No function in the page code (components/, islands/, mcp_app/, routes/, and the browser/ and
 * todo_list/ modules they use) or the server's code (lib/, but its tests and test helpers) is
 * longer than {@linkcode MAX_FUNCTION_LINES} lines, from its first line to its last. Deno's own parser (`Deno.lint.runPlugin`) finds the functions, so
 * braces in strings, JSX or comments never confuse the count.
 */
import assert from "node:assert/strict";

/** The longest a function in the checked folders may be, in lines. */
const MAX_FUNCTION_LINES = 90;

const FOLDERS = ["components", "islands", "mcp_app", "routes", "browser", "todo_list", "lib"];

/** Tests and test helpers under lib/ are not held to the rule; the page folders' tests are. */
const EXCEPT = /^lib\/(?:testing\/|.*_test\.tsx?$)/;

type FunctionNode =
  | Deno.lint.FunctionDeclaration
  | Deno.lint.FunctionExpression
  | Deno.lint.ArrowFunctionExpression;

/** A function's name as a reader finds it: its own, or the variable, property or method holding it. */
function functionName(node: FunctionNode): string {
  if ("id" in node && node.id && node.id.type === "Identifier") return node.id.name;
  const parent = node.parent;
  if (parent?.type === "VariableDeclarator" && parent.id.type === "Identifier") {
    return parent.id.name;
  }
  if (
    (parent?.type === "Property" || parent?.type === "MethodDefinition") &&
    parent.key.type === "Identifier"
  ) return parent.key.name;
  if (parent?.type === "CallExpression" && parent.callee.type === "Identifier") {
    return `(callback of ${parent.callee.name})`;
  }
  return "(anonymous)";
}

/** Every function in `source` longer than `max` lines, as `name (N lines, line L)`. */
function longFunctions(fileName: string, source: string, max: number): string[] {
  const plugin: Deno.lint.Plugin = {
    name: "size",
    rules: {
      "function-length": {
        create(context) {
          const check = (node: FunctionNode) => {
            const [start, end] = node.range;
            const text = context.sourceCode.text;
            const first = text.slice(0, start).split("\n").length;
            const lines = text.slice(start, end).split("\n").length;
            if (lines > max) {
              context.report({
                node,
                message: `${functionName(node)} (${lines} lines, line ${first})`,
              });
            }
          };
          return {
            FunctionDeclaration: check,
            FunctionExpression: check,
            ArrowFunctionExpression: check,
          };
        },
      },
    },
  };
  return Deno.lint.runPlugin(plugin, fileName, source).map((d) => d.message);
}

/** The TypeScript files under the checked folders, but {@linkcode EXCEPT}. */
async function checkedFiles(): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(new URL(`./${dir}/`, import.meta.url))) {
      const path = `${dir}/${entry.name}`;
      if (EXCEPT.test(`${path}/`) || EXCEPT.test(path)) continue;
      if (entry.isDirectory) await walk(path);
      else if (/\.tsx?$/.test(entry.name)) files.push(path);
    }
  };
  for (const folder of FOLDERS) await walk(folder);
  return files.sort();
}

Deno.test(`no function in ${FOLDERS.join("/, ")}/ is longer than ${MAX_FUNCTION_LINES} lines`, async () => {
  const found: string[] = [];
  for (const file of await checkedFiles()) {
    const source = await Deno.readTextFile(new URL(`./${file}`, import.meta.url));
    for (const message of longFunctions(file, source, MAX_FUNCTION_LINES)) {
      found.push(`${file}: ${message}`);
    }
  }
  assert.deepEqual(
    found,
    [],
    `split these by what each part renders or handles:\n${found.join("\n")}`,
  );
});

Deno.test("longFunctions() finds declarations, arrows and methods, and is not fooled by braces in strings, JSX or comments", () => {
  const body = (n: number) =>
    Array.from({ length: n }, (_, i) => `  const v${i} = "}";`).join("\n");
  const source = [
    `export function Long() {\n${body(89)}\n}`, // 91 lines
    `const arrow = () => {\n${body(88)}\n};`, // 90 lines: allowed
    `const obj = { method() {\n${body(89)}\n} };`,
    `function View() {\n  // }\n  return <p title="}">{"{"}{\`}\`}</p>;\n}`,
  ].join("\n");
  assert.deepEqual(longFunctions("probe.tsx", source, 90), [
    "Long (91 lines, line 1)",
    "method (91 lines, line 182)",
  ]);
});
