import type { ComponentChildren } from "preact";
import { addHead } from "./islands.ts";

/** Like Fresh's `<Head>`: its children are moved into the page's `<head>` (e.g. `<title>`). */
export function Head({ children }: { children?: ComponentChildren }): null {
  addHead(children);
  return null;
}
