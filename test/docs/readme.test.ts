// The README must stay true: every setting of the config schema is in its table with its default,
// and its quick start is the same test command line that .ci/run runs.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { FIELDS } from "../../src/config/schema.ts";

const root = resolve(import.meta.dir, "../..");
const readme = readFileSync(resolve(root, "README.md"), "utf8");

test("every configuration setting is documented with its default", () => {
  for (const f of FIELDS) {
    const row = readme.split("\n").find((l) => l.startsWith(`| \`${f.env}\``));
    expect(row, f.env).toBeDefined();
    if ("default" in f && f.default !== undefined) expect(row!).toContain(`\`${String(f.default)}\``);
  }
});

test("the quick start's test line is what CI runs", () => {
  expect(readme).toContain("npm ci && npm test");
  expect(readme).toContain("npm ci && npm start");
  expect(readFileSync(resolve(root, ".ci/run"), "utf8")).toContain("( npm ci && npm test )");
});
