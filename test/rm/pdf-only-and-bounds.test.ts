// Issue 12 items 5 and 7 in the format core.
// 5: a PDF-only archive (`rmapi__cloud_test.zip`: a PDF, an empty .pagedata, a .content without
//    pages or pageCount) is a document with the PDF's pages, not an empty one.
// 7: bounds read from a file are untrusted: a SceneInfo paper size of 4.29e9 units is a format
//    error (a warning when lenient), ink beyond ±LIMITS.maxCoord is dropped, and a pageCount of
//    99,999 on a document without a page list is clamped to its PDF or refused.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, unzipSync, zipSync } from "fflate";
import { PDFDocument } from "pdf-lib";
import { openInput } from "../../src/rm/container/library.ts";
import { RmFormatError } from "../../src/rm/errors.ts";
import { LIMITS } from "../../src/rm/limits.ts";
import type { Group, Page } from "../../src/rm/model.ts";
import { parsePage } from "../../src/rm/page.ts";
import { buildScene } from "../../src/render/scene.ts";
import { renderPdf } from "../../src/render/pdf.ts";
import { renderPng } from "../../src/render/png.ts";
import { buildV3V5 } from "./build-v3v5.ts";
import { b, block, lineItem, page, point14, sceneTree, groupItem } from "../support/v6-builder.ts";
import { describeSamples, sample } from "../support/samples.ts";

const tmp = mkdtempSync(join(tmpdir(), "rmirror-bounds-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CLOUD = "rmapi__cloud_test.zip";
const DOC = "883ba04f-606c-41b7-8903-8d113356850f";

/** rmapi__cloud_test.zip with its .content replaced. */
function cloudZipWith(content: object, name: string): string {
  const entries = unzipSync(new Uint8Array(readFileSync(sample(CLOUD))));
  entries[`${DOC}.content`] = strToU8(JSON.stringify(content));
  const path = join(tmp, name);
  writeFileSync(path, zipSync(entries));
  return path;
}

describeSamples("item 5: a PDF-only archive", () => {
  test("is a document with the PDF's pages, each showing its PDF page", async () => {
    const lib = await openInput(sample(CLOUD));
    expect(lib.documents.length).toBe(1);
    const doc = lib.documents[0]!;
    expect(doc.pdfPath).toBe(`${DOC}.pdf`);
    const pdf = await PDFDocument.load((await lib.source.read(doc.pdfPath!))!);
    expect(pdf.getPageCount()).toBeGreaterThan(0);
    expect(doc.pages.map((p) => p.sourcePage)).toEqual(pdf.getPageIndices());
    expect(doc.pages.every((p) => p.missing)).toBe(true);
    expect(doc.warnings.join("\n")).not.toContain("pages of the original file are unknown");
  });

  test("its PDF export keeps the original pages", async () => {
    const lib = await openInput(sample(CLOUD));
    const doc = lib.documents[0]!;
    const background = (await lib.source.read(doc.pdfPath!))!;
    const out = await PDFDocument.load(await renderPdf({ title: "t", background, pages: doc.pages.map((p) => ({ page: null, sourcePage: p.sourcePage })) }));
    const original = await PDFDocument.load(background);
    expect(out.getPageCount()).toBe(original.getPageCount());
    expect(out.getPage(0).getSize()).toEqual(original.getPage(0).getSize());
  });
});

describeSamples("item 7: a pageCount without a page list", () => {
  test("on a PDF document: the PDF's page count wins over 99,999, with a warning", async () => {
    const lib = await openInput(cloudZipWith({ fileType: "pdf", pageCount: 99_999 }, "pdf-99999.zip"));
    expect(lib.errors).toEqual([]);
    const doc = lib.documents[0]!;
    expect(doc.pages.length).toBe(1);
    expect(doc.warnings.join("\n")).toContain("pageCount 99999");
  });

  test("on a notebook (or a PDF document whose PDF is unreadable): refused with the format error", async () => {
    const lib = await openInput(cloudZipWith({ fileType: "notebook", pageCount: 99_999 }, "notebook-99999.zip"));
    expect(lib.documents).toEqual([]);
    expect(lib.errors.length).toBe(1);
    expect(lib.errors[0]!.error).toBeInstanceOf(RmFormatError);
    expect(lib.errors[0]!.error.code).toBe("too_large");
    expect(lib.errors[0]!.error.message).toContain("pageCount 99999");

    const entries = unzipSync(new Uint8Array(readFileSync(sample(CLOUD))));
    entries[`${DOC}.content`] = strToU8(JSON.stringify({ fileType: "pdf", pageCount: 99_999 }));
    entries[`${DOC}.pdf`] = strToU8("not a pdf at all");
    const path = join(tmp, "badpdf-99999.zip");
    writeFileSync(path, zipSync(entries));
    const bad = await openInput(path);
    expect(bad.errors[0]?.error.code).toBe("too_large");
  });

  test("a modest pageCount on a notebook still gives its blank pages", async () => {
    const lib = await openInput(cloudZipWith({ fileType: "notebook", pageCount: 3 }, "notebook-3.zip"));
    expect(lib.documents[0]!.pages.length).toBe(3);
  });
});

/** A v6 page whose SceneInfo declares `w × h`, with one stroke. */
function pageWithPaper(w: number, h: number): Uint8Array {
  const info = block(0x0d, b().sub(5, b().u32(w).u32(h)), 1);
  return page(
    info,
    sceneTree(0, 11),
    groupItem([0, 1], [0, 12], [0, 0], [0, 0], [0, 11]),
    lineItem([0, 11], [0, 13], [0, 0], [0, 0], { points: [point14(0, 100), point14(50, 150)] }),
  );
}

const strokes = (p: Page) => {
  const out: { x: number; y: number }[][] = [];
  const walk = (g: Group) => g.children.forEach((c) => (c.kind === "group" ? walk(c) : c.kind === "stroke" ? out.push(c.points) : undefined));
  p.layers.forEach(walk);
  return out;
};

describe("item 7: untrusted sizes inside a page", () => {
  test("a SceneInfo paper size of 4.29e9 units is a format error, a warning when lenient", () => {
    const bytes = pageWithPaper(0xffff_ffff, 0xffff_ff00);
    expect(() => parsePage(bytes, "huge.rm")).toThrow(RmFormatError);
    try {
      parsePage(bytes, "huge.rm");
    } catch (e) {
      expect((e as RmFormatError).message).toContain("paper size");
      expect((e as RmFormatError).file).toBe("huge.rm");
    }
    const p = parsePage(bytes, "huge.rm", { lenient: true });
    expect(p.box).toEqual({ x: -702, y: 0, w: 1404, h: 1872 });
    expect(p.warnings?.join("\n")).toContain("paper size");
    expect(strokes(p).length).toBe(1); // the rest of the page is intact
    // Real sizes are untouched.
    expect(parsePage(pageWithPaper(1620, 2160), "pp.rm").box).toEqual({ x: -810, y: 0, w: 1620, h: 2160 });
    expect(() => parsePage(pageWithPaper(0, 2160), "zero.rm")).toThrow(RmFormatError);
  });

  test("ink far beyond any page (v5 and v6) is dropped, so every output stays page-sized", async () => {
    const far = 1e30;
    const v5 = buildV3V5(5, [[
      { points: [[100, 100, 0, 0, 2, 0.5], [far, 200, 0, 0, 2, 0.5], [200, -4e9, 0, 0, 2, 0.5], [Number.NaN, 1, 0, 0, 2, 0.5], [300, 300, 0, 0, 2, 0.5]] },
      { points: [[5e8, 5e8, 0, 0, 2, 0.5]] },
    ]]);
    const v6 = page(
      sceneTree(0, 11),
      groupItem([0, 1], [0, 12], [0, 0], [0, 0], [0, 11]),
      lineItem([0, 11], [0, 13], [0, 0], [0, 14], { points: [point14(0, 100), point14(3e38, 150), point14(50, -3e38), point14(60, 160)] }),
      lineItem([0, 11], [0, 14], [0, 13], [0, 0], { points: [point14(-1e20, 1e20)] }),
    );
    for (const [name, bytes] of [["v5.rm", v5], ["v6.rm", v6]] as const) {
      const p = parsePage(bytes, name);
      const pts = strokes(p).flat();
      expect(pts.length).toBe(name === "v5.rm" ? 2 : 2);
      for (const q of pts) expect(Math.abs(q.x) <= LIMITS.maxCoord && Math.abs(q.y) <= LIMITS.maxCoord).toBe(true);
      expect(p.warnings?.join("\n")).toContain("beyond");
      const view = buildScene(p).view;
      expect(view.w).toBeLessThan(2 * LIMITS.maxCoord + 100);
      expect(view.h).toBeLessThan(2 * LIMITS.maxCoord + 100);
      const png = await renderPng(p, { longEdge: 200 });
      expect(Buffer.from(png.subarray(1, 4)).toString()).toBe("PNG");
      const pdf = await PDFDocument.load(await renderPdf({ title: name, pages: [{ page: p, sourcePage: null }] }));
      const size = pdf.getPage(0).getSize();
      expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(14_400);
    }
  });

  test("ink at the edge of the limit is kept", () => {
    const edge = LIMITS.maxCoord - 1;
    const p = parsePage(buildV3V5(5, [[{ points: [[edge, edge, 0, 0, 2, 0.5], [-edge, 0, 0, 0, 2, 0.5]] }]]), "edge.rm");
    expect(strokes(p).flat().length).toBe(2);
    expect(p.warnings).toBeUndefined();
  });
});
