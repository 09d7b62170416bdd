// Issue 12 item 8: one bad page spoils nothing else. A page resvg cannot rasterise (a 1 × 20,000
// unit paper: "Target size is zero") used to abort `rmirror render` with a plain Error, so the
// documents after it were never rendered. Now it is that page's error: reported with the page
// number, exit code 1, and every other page and document is written.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { b, block, lineItem, page, point14, sceneTree, groupItem } from "../support/v6-builder.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const tmp = mkdtempSync(join(tmpdir(), "rmirror-badpage-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** A valid page no PNG can be made of at any size: paper 1 unit wide, 20,000 tall. */
const DEGENERATE = page(block(0x0d, b().sub(5, b().u32(1).u32(20_000)), 1));
const GOOD = page(sceneTree(0, 11), groupItem([0, 1], [0, 12], [0, 0], [0, 0], [0, 11]), lineItem([0, 11], [0, 13], [0, 0], [0, 0], { points: [point14(0, 100), point14(300, 400)] }));

function writeDoc(dir: string, n: number, name: string, pages: Uint8Array[]): void {
  const id = U(n);
  writeFileSync(join(dir, `${id}.metadata`), JSON.stringify({ visibleName: name, type: "DocumentType", parent: "", lastModified: "1700000000000" }));
  const ids = pages.map((_, i) => U(1000 * n + i));
  const cPages = { pages: ids.map((p, i) => ({ id: p, idx: { timestamp: "1:1", value: `b${String.fromCharCode(97 + i)}` } })) };
  writeFileSync(join(dir, `${id}.content`), JSON.stringify({ fileType: "notebook", formatVersion: 2, cPages }));
  mkdirSync(join(dir, id));
  pages.forEach((bytes, i) => writeFileSync(join(dir, id, `${ids[i]}.rm`), bytes));
}

test("a page that cannot be drawn is that page's error; the page after it and the other documents are rendered", () => {
  const lib = join(tmp, "xochitl");
  mkdirSync(lib);
  writeDoc(lib, 1, "A first", [GOOD]);
  writeDoc(lib, 2, "B broken", [DEGENERATE, GOOD]);
  writeDoc(lib, 3, "C after", [GOOD, GOOD]);
  const out = join(tmp, "out");
  const r = Bun.spawnSync([process.execPath, MAIN, "render", lib, "--to", "png,svg,pdf,md", "--size", "256", "--out", out], { stderr: "pipe", stdout: "pipe" });
  const err = r.stderr.toString();
  expect(r.exitCode).toBe(1);
  expect(err).toMatch(/error: page 1 could not be drawn: .*Target size is zero/);
  expect(err).not.toMatch(/\n\s+at .*\.ts:\d+/); // a message, not a stack trace
  for (const doc of ["A first", "B broken", "C after"]) {
    expect(existsSync(join(out, `${doc}.pdf`))).toBe(true);
    expect(existsSync(join(out, `${doc}.md`))).toBe(true);
  }
  expect(readdirSync(join(out, "B broken")).sort()).toEqual(["page-001.svg", "page-002.png", "page-002.svg"]);
  expect(readdirSync(join(out, "C after")).sort()).toEqual(["page-001.png", "page-001.svg", "page-002.png", "page-002.svg"]);
  expect(err).toContain("2 of 3 document(s) rendered");
});

test("a single page that cannot be drawn exits 1 with a message", () => {
  writeFileSync(join(tmp, "degenerate.rm"), DEGENERATE);
  const r = Bun.spawnSync([process.execPath, MAIN, "render", join(tmp, "degenerate.rm"), "--to", "png", "--out", join(tmp, "single")], { stderr: "pipe", stdout: "pipe" });
  expect(r.exitCode).toBe(1);
  expect(r.stderr.toString()).toMatch(/degenerate\.rm: could not be drawn: .*Target size is zero/);
});
