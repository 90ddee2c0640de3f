import assert from "node:assert/strict";
import { createTestApp, TEST_ORIGIN } from "../testing/app.ts";
import {
  createLeakTree,
  encodedTraversal,
  leaksSecret,
  prng,
  rawGet,
  SECRETS,
} from "../testing/static_attacks.ts";

const SEED = Number(Deno.env.get("STATIC_PROPERTY_SEED") ?? 20261202);
/**
 * At the fixed seed, 300 cases already put every dot, slash and smuggled-suffix spelling
 * into a path to every target; 1000 put each pair in several times over.
 */
const CASES = 1000;

Deno.test(`static files: ${CASES} random encodings of ../ to secrets beside static/ are all 404 (raw TCP and app.fetch, seed ${SEED})`, async () => {
  await using tree = await createLeakTree();
  const random = prng(SEED);
  const targets = Object.keys(SECRETS);
  const failures: string[] = [];
  for (let i = 0; i < CASES && failures.length < 10; i++) {
    const target = encodedTraversal(random, targets[i % targets.length]);
    const raw = await rawGet(tree.port, target);
    if (raw.status !== 404 || leaksSecret(raw.text)) {
      failures.push(`raw ${target} -> ${raw.status}`);
    }
    const res = await tree.app.request(`http://localhost${target}`);
    if (res.status !== 404 || leaksSecret(await res.text())) {
      failures.push(`app.fetch ${target} -> ${res.status}`);
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test(`static files: ${CASES} random encodings of ../ to the project's own files are all 404 through the real app (seed ${SEED})`, async () => {
  using test = await createTestApp();
  const root = new URL("../../", import.meta.url);
  const targets = ["deno.json", "README.md", ".env.example", "lib/config.ts"];
  const contents = await Promise.all(
    targets.map((file) => Deno.readTextFile(new URL(file, root)).then((t) => t.slice(0, 60))),
  );
  const random = prng(SEED + 1);
  const failures: string[] = [];
  for (let i = 0; i < CASES && failures.length < 10; i++) {
    const target = encodedTraversal(random, targets[i % targets.length]);
    const res = await test.request(`${TEST_ORIGIN}${target}`);
    const body = await res.text();
    if (res.status !== 404 || contents.some((c) => body.includes(c))) {
      failures.push(`${target} -> ${res.status}`);
    }
  }
  assert.deepEqual(failures, []);
});
