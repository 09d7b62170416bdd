// `rmirror import` explains a wrong input in words a user acts on (issue 13 item 10): a path that
// does not exist says so, and a single .rm page points at `rmirror render` — before any network.
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";

const main = resolve(import.meta.dir, "../../src/main.ts");
const dir = mkdtempSync(join(tmpdir(), "rmirror-import-msg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runImport(path: string) {
  const r = Bun.spawnSync([process.execPath, main, "import", path, "--server", "http://127.0.0.1:9", "--token", "x"], { stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, err: r.stderr.toString() };
}

test("a path that does not exist: 'no such file or folder'", () => {
  const r = runImport(join(dir, "My notebooks"));
  expect(r.code).toBe(1);
  expect(r.err).toContain("My notebooks");
  expect(r.err).toContain("no such file or folder");
});

test.skipIf(!HAVE_SAMPLES)("a single .rm page: import takes notebooks; rmirror render converts a page", () => {
  const page = join(dir, "page.rm");
  copyFileSync(sample("rmc__abcd.strokes.rm"), page);
  const r = runImport(page);
  expect(r.code).toBe(1);
  expect(r.err).toContain("single page");
  expect(r.err).toContain("rmirror render");
});
