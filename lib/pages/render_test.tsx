import assert from "node:assert/strict";
import type { ComponentChildren } from "preact";
import { Head } from "./head.ts";
import { registerIsland, serializeProps } from "./islands.ts";
import { PROPS_ELEMENT_ID, renderPage } from "./render.ts";
import type { AppProps, PageProps } from "./types.ts";

function Counter(props: { start: number; label: string }) {
  return <button type="button">{props.label}: {props.start}</button>;
}
function Outer(props: { title: string }) {
  return (
    <section>
      {props.title} <Counter start={1} label="inner" />
    </section>
  );
}
function Fn(_props: { onClick: () => void }) {
  return <p>fn</p>;
}
function WithChildren(props: { children?: ComponentChildren }) {
  return <div>{props.children}</div>;
}
registerIsland("Counter", Counter);
registerIsland("Outer", Outer);
registerIsland("Fn", Fn);
registerIsland("WithChildren", WithChildren);

function Shell({ Component }: AppProps) {
  return (
    <html>
      <head>
        <meta charset="utf-8" />
      </head>
      <body>
        <Component />
      </body>
    </html>
  );
}

const props = (data: unknown = undefined): PageProps<unknown> => ({
  data,
  url: new URL("http://localhost/x"),
  route: "/x",
  params: {},
  // deno-lint-ignore no-explicit-any
  state: {} as any,
});

/** The parsed island props block of a rendered page. */
function islandProps(html: string): unknown[] {
  const match = html.match(
    new RegExp(`<script type="application/json" id="${PROPS_ELEMENT_ID}">(.*?)</script>`),
  );
  assert.ok(match, "props block present");
  return JSON.parse(match[1]);
}

Deno.test("serializeProps() escapes everything that could end a script element or start markup", () => {
  const text = "</script><script>alert(1)</script> & <!-- \u2028\u2029";
  const json = serializeProps({ text });
  assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(json), { text });
});

Deno.test("renderPage() marks islands, writes their props and loads only island scripts for pages with islands", () => {
  const page = () => (
    <main>
      <Counter start={3} label="</script><script>alert(1)</script>" />
      <Counter start={4} label="<img src=x onerror=alert(1)>" />
    </main>
  );
  const html = renderPage(Shell, [], page, props());
  assert.ok(html.startsWith("<!DOCTYPE html><html>"));
  assert.match(html, /<pages-island data-island="Counter" data-key="0"><button/);
  assert.match(html, /<pages-island data-island="Counter" data-key="1"><button/);
  assert.deepEqual(islandProps(html), [
    { start: 3, label: "</script><script>alert(1)</script>" },
    { start: 4, label: "<img src=x onerror=alert(1)>" },
  ]);
  // The only script elements are the JSON block and module scripts; no text broke out.
  assert.equal(
    html.match(/<script/g)?.length,
    1 + (html.match(/<script type="module"/g)?.length ?? 0),
  );
  assert.doesNotMatch(html, /<img/);
  assert.ok(html.indexOf(PROPS_ELEMENT_ID) < html.indexOf("</body>"));

  const plain = renderPage(Shell, [], () => <p>no islands</p>, props());
  assert.doesNotMatch(plain, /<script/);
});

Deno.test("renderPage() hydrates an island used inside another island as part of the outer one", () => {
  const html = renderPage(Shell, [], () => <Outer title="hi" />, props());
  assert.equal(html.match(/<pages-island/g)?.length, 1);
  assert.deepEqual(islandProps(html), [{ title: "hi" }]);
  assert.match(html, /inner: 1/);
});

Deno.test("renderPage() refuses island props that are not JSON data", () => {
  assert.throws(
    () => renderPage(Shell, [], () => <Fn onClick={() => {}} />, props()),
    /Island Fn: prop onClick is not JSON-serializable \(function\)/,
  );
  assert.throws(
    () =>
      renderPage(Shell, [], () => (
        <WithChildren>
          <b>bold</b>
        </WithChildren>
      ), props()),
    /Island WithChildren: prop children is not JSON-serializable \(a JSX element\)/,
  );
  // deno-lint-ignore no-explicit-any
  const Dated = Counter as any;
  assert.throws(
    () => renderPage(Shell, [], () => <Dated start={new Date()} label="x" />, props()),
    /prop start is not JSON-serializable \(Date\)/,
  );
});

Deno.test("renderPage() moves <Head> children into <head> and escapes them", () => {
  const page = ({ data }: PageProps<string>) => (
    <>
      <Head>
        <title>{data}</title>
      </Head>
      <h1>{data}</h1>
    </>
  );
  const html = renderPage(Shell, [], page, props("</title><script>x</script>"));
  assert.match(
    html,
    /<head><meta charset="utf-8"\/><title>&lt;\/title>&lt;script>x&lt;\/script><\/title><\/head>/,
  );
  assert.doesNotMatch(html, /<script>/);
});
