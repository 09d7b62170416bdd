import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { parseContent } from "../../src/rm/content.ts";
import { RmFormatError } from "../../src/rm/errors.ts";
import { describeSamples, sample } from "../support/samples.ts";

const reg = (value: unknown) => ({ timestamp: "1:1", value });

describe("parseContent", () => {
  test("folder content {} and blank files", () => {
    for (const text of ["{}", "", '{"tags":[]}']) {
      const c = parseContent(text, "f.content");
      expect(c).toEqual({
        fileType: "notebook",
        formatVersion: 0,
        orientation: "portrait",
        pages: [],
        tags: [],
        pageTags: [],
        originalPageCount: -1,
        coverPageNumber: 0,
        documentMetadata: {},
      });
    }
  });

  test('fileType "" and unknown values mean notebook; pdf/epub kept', () => {
    expect(parseContent('{"fileType":""}', "a").fileType).toBe("notebook");
    expect(parseContent('{"fileType":"pdf"}', "a").fileType).toBe("pdf");
    expect(parseContent('{"fileType":"epub"}', "a").fileType).toBe("epub");
    expect(parseContent('{"fileType":null}', "a").fileType).toBe("notebook");
  });

  test("tags as {name,timestamp} objects and as plain strings; pageTags", () => {
    const c = parseContent(
      JSON.stringify({
        tags: [{ name: "work", timestamp: 1700000000000 }, "old-style", { name: "" }, 7, { name: "s", timestamp: "1700000000001" }],
        pageTags: [{ name: "todo", pageId: "p1", timestamp: 1700000000002 }, { name: "no-page" }, "x"],
      }),
      "t.content",
    );
    expect(c.tags).toEqual([{ name: "work", timestamp: 1700000000000 }, { name: "old-style" }, { name: "s", timestamp: 1700000000001 }]);
    expect(c.pageTags).toEqual([{ name: "todo", pageId: "p1", timestamp: 1700000000002 }]);
  });

  test("orientation, coverPageNumber, documentMetadata, originalPageCount from cPages.original", () => {
    const c = parseContent(
      JSON.stringify({
        orientation: "landscape",
        coverPageNumber: -1,
        documentMetadata: { title: "Paper", authors: ["A. Turing", 3], publisher: "x" },
        cPages: { original: reg(12), pages: [] },
        formatVersion: 2,
      }),
      "o.content",
    );
    expect(c.orientation).toBe("landscape");
    expect(c.coverPageNumber).toBe(-1);
    expect(c.documentMetadata).toEqual({ title: "Paper", authors: ["A. Turing"] });
    expect(c.originalPageCount).toBe(12);
    expect(c.formatVersion).toBe(2);
  });

  test("bad JSON → bad_json naming the file", () => {
    try {
      parseContent('{"pages": [', "doc/x.content");
      throw new Error("should have thrown");
    } catch (e) {
      expect(e).toBeInstanceOf(RmFormatError);
      expect((e as RmFormatError).code).toBe("bad_json");
      expect((e as RmFormatError).file).toBe("doc/x.content");
    }
  });
});

describeSamples("parseContent on samples", () => {
  const read = (p: string) => readFileSync(sample(p));

  test("lucasrla demo: pdf, pages[] without formatVersion, 36 pages, sourcePage = index", () => {
    const c = parseContent(read("lucasrla-remarks__demo_xochitl/d3954b55-8429-4220-a2d5-64f1daab9727.content"), "demo.content");
    expect(c.fileType).toBe("pdf");
    expect(c.formatVersion).toBe(0);
    expect(c.pages).toHaveLength(36);
    expect(c.pages[0]).toEqual({ id: "bd1287ac-b54f-4024-a117-020194385543", index: 0, template: "Blank", sourcePage: 0 });
    expect(c.pages[35]?.sourcePage).toBe(35);
  });

  test("v2_notebook_complex: formatVersion 1 notebook with .pagedata templates", () => {
    const dir = "lucasrla-remarks__tests_in/v2_notebook_complex/bce041cf-ce31-4ede-ad11-2e53db0f6c77";
    const c = parseContent(read(`${dir}.content`), "c", read(`${dir}.pagedata`).toString());
    expect(c.formatVersion).toBe(1);
    expect(c.fileType).toBe("notebook");
    expect(c.originalPageCount).toBe(-1);
    expect(c.coverPageNumber).toBe(-1);
    expect(c.pages.map((p) => [p.id.slice(0, 8), p.template, p.sourcePage])).toEqual([
      ["e411a942", "P Dots large", null],
      ["1f1e3cbb", "P Dots large", null],
      ["fcff2a80", "P Dots large", null],
    ]);
  });

  test("rm2pdf insert-pages: redirectionPageMap with an inserted page (-1)", () => {
    const c = parseContent(read("rm2pdf__testfiles/fbe9f971-03ba-4c21-a0e8-78dd921f9c4c.content"), "c");
    expect(c.pages.map((p) => p.sourcePage)).toEqual([0, -1, 1]);
    expect(c.originalPageCount).toBe(2);
  });

  test("rm2pdf landscape: orientation and empty second pagedata line → Blank", () => {
    const c = parseContent(read("rm2pdf__testfiles/e724bba2-266f-434d-aaf2-935d2b405aee.content"), "c", "Blank\n\n");
    expect(c.orientation).toBe("landscape");
    expect(c.pages.map((p) => p.template)).toEqual(["Blank", "Blank"]);
    expect(c.tags).toEqual([]);
  });
});
