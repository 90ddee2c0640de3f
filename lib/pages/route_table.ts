/**
 * The manifest, read once at start-up: every route with the middleware and layouts of the
 * folders above it (outermost first), and the special pages `_app`, `_404` and `_500`. A
 * route given as a loader is imported on its first request.
 */
import type { ComponentType } from "preact";
import { lazyImport } from "../lazy_import.ts";
import { routePattern, sortPatterns } from "./routing.ts";
import type {
  AppProps,
  ErrorPageProps,
  Handler,
  Handlers,
  LayoutProps,
  Manifest,
  Method,
  MiddlewareHandler,
  PageProps,
  RouteModule,
  UnknownPageProps,
} from "./types.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** A route and everything that runs for it. */
export interface Route {
  pattern: string;
  /** Middleware handlers of the route's folders, outermost first. */
  middlewares: MiddlewareHandler<Any>[];
  /** Layouts around the page, outermost first. */
  layouts: ComponentType<LayoutProps>[];
  /** `_app`, the HTML shell. */
  app?: ComponentType<AppProps>;
  page?: ComponentType<PageProps>;
  /** The method's handler, or undefined when the route does not handle that method. */
  handlerFor(method: string): Handler<Any, Any> | undefined;
  /** Methods the route answers, for a 405's `Allow`. */
  allowed: Method[];
}

/** A route by its pattern; its module, and so the route, loads on first use. */
export interface PageRoute {
  pattern: string;
  /** The route, its module imported on the first call (a failed load is tried again). */
  load(): Promise<Route>;
}

/** What `createPages` serves. */
export interface RouteTable {
  /** Most specific pattern first. */
  routes: PageRoute[];
  /** For paths no route matches: `_404` with the root folder's middleware. */
  notFound: Route & { page?: ComponentType<UnknownPageProps> };
  errorPage?: ComponentType<ErrorPageProps>;
  app?: ComponentType<AppProps>;
}

/** GET of a route without a GET handler: its page with `data` undefined. */
const renderWithoutData: Handler = (_req, ctx) => ctx.render();

const METHODS: Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const SPECIAL = /^(?<dir>(?:.*\/)?)_(?<name>app|layout|middleware|404|500)\.(?:tsx|ts|jsx|js)$/;

/** The folders from `routes/` down to `dir` (`""`, `"a/"`, `"a/(g)/"`). */
function foldersOf(dir: string): string[] {
  const parts = dir.split("/").filter(Boolean);
  return ["", ...parts.map((_, i) => parts.slice(0, i + 1).join("/") + "/")];
}

function middlewaresOf(module: RouteModule | undefined): MiddlewareHandler<Any>[] {
  const handler = module?.handler;
  if (handler === undefined) return [];
  if (Array.isArray(handler)) return handler;
  if (typeof handler === "function") return [handler as MiddlewareHandler<Any>];
  throw new Error("A _middleware file exports `handler` as a function or an array of them.");
}

/**
 * Reads the manifest; throws on two files for one pattern or a special file out of place.
 * `beforeLoad(path)` runs alongside the import of a page route given as a loader.
 */
export function routeTable(
  manifest: Manifest,
  beforeLoad: (path: string) => Promise<unknown> = () => Promise.resolve(),
): RouteTable {
  const middleware = new Map<string, RouteModule>();
  const layouts = new Map<string, RouteModule>();
  const special: Record<string, RouteModule> = {};
  const files: [string, Manifest["routes"][string]][] = [];
  for (const [path, module] of Object.entries(manifest.routes)) {
    const file = path.replace(/^\.\/routes\//, "");
    const match = file.match(SPECIAL)?.groups;
    if (!match) {
      files.push([file, module]);
      continue;
    }
    if (typeof module === "function") {
      throw new Error(`routes/${file}: a special file is imported, not loaded on first use.`);
    }
    if (match.name === "middleware") middleware.set(match.dir, module);
    else if (match.name === "layout") layouts.set(match.dir, module);
    else if (match.dir !== "") {
      throw new Error(`routes/${file}: _${match.name} belongs in routes/.`);
    } else special[match.name] = module;
  }
  const app = special.app?.default;

  const build = (file: string, module: RouteModule, pattern: string): Route => {
    const folders = foldersOf(file.slice(0, file.lastIndexOf("/") + 1));
    const chain = folders.filter((dir) => layouts.has(dir));
    const handler = module.handler as Handler<Any, Any> | Handlers<Any, Any> | undefined;
    const handlerFor = (method: string) => {
      if (typeof handler === "function") return handler;
      const own = handler?.[method as Method];
      if (own) return own;
      if (method === "GET" && module.default) return renderWithoutData;
      return undefined;
    };
    return {
      pattern,
      middlewares: folders.flatMap((dir) => middlewaresOf(middleware.get(dir))),
      layouts: chain.map((dir) => layouts.get(dir)!.default!).filter(Boolean),
      app,
      page: module.default,
      handlerFor: handlerFor as Route["handlerFor"],
      allowed: METHODS.filter((method) => handlerFor(method)),
    };
  };

  const byPattern = new Map<string, PageRoute>();
  for (const [file, module] of files) {
    const pattern = routePattern(file);
    if (pattern === null) continue;
    if (byPattern.has(pattern)) throw new Error(`Two route files map to ${pattern}.`);
    if (typeof module === "function") {
      byPattern.set(pattern, {
        pattern,
        load: lazyImport(async () => {
          const [loaded] = await Promise.all([module(), beforeLoad(`./routes/${file}`)]);
          return build(file, loaded, pattern);
        }),
      });
    } else {
      const route = Promise.resolve(build(file, module, pattern));
      byPattern.set(pattern, { pattern, load: () => route });
    }
  }
  return {
    routes: sortPatterns([...byPattern.keys()]).map((pattern) => byPattern.get(pattern)!),
    notFound: { ...build("_404.tsx", special["404"] ?? {}, ""), layouts: [], app },
    errorPage: special["500"]?.default,
    app,
  };
}
