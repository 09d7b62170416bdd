import { describe, expect, test } from "bun:test";
import { parseContent } from "../../src/rm/content.ts";
import { compareIdx, pagedataTemplates, pageList } from "../../src/rm/page-list.ts";

const reg = (value: unknown) => ({ timestamp: "1:1", value });
const cpage = (id: string, idx: string, extra: Record<string, unknown> = {}) => ({ id, idx: reg(idx), ...extra });

function ids(content: object, fileType: "notebook" | "pdf" = "notebook"): string[] {
  return pageList({ content: content as Record<string, unknown>, fileType, templates: [], file: "t.content" }).map((p) => p.id);
}

describe("cPages ordering (formatVersion 2)", () => {
  test('idx keys sort byte-wise: "ba" < "bb" < "bza" < "c", whatever the storage order', () => {
    const content = { cPages: { pages: [cpage("p-c", "c"), cpage("p-bza", "bza"), cpage("p-ba", "ba"), cpage("p-bb", "bb")] } };
    expect(ids(content)).toEqual(["p-ba", "p-bb", "p-bza", "p-c"]);
  });

  test("plain < comparison, not localeCompare: uppercase sorts before lowercase", () => {
    const content = { cPages: { pages: [cpage("lower", "a"), cpage("upper", "Z")] } };
    expect(ids(content)).toEqual(["upper", "lower"]);
    expect(compareIdx({ idx: "Z", id: "x" }, { idx: "a", id: "x" })).toBe(-1);
  });

  test("ties on idx are broken by page id", () => {
    const content = { cPages: { pages: [cpage("id-b", "bb"), cpage("id-a", "bb"), cpage("id-0", "ba")] } };
    expect(ids(content)).toEqual(["id-0", "id-a", "id-b"]);
  });

  test("missing idx sorts first (as an empty key)", () => {
    expect(ids({ cPages: { pages: [cpage("later", "ba"), { id: "no-idx" }] } })).toEqual(["no-idx", "later"]);
  });

  test("deleted pages are dropped; deleted value 0 means not deleted", () => {
    const content = {
      cPages: {
        pages: [
          cpage("gone", "ba", { deleted: reg(1) }),
          cpage("kept", "bb", { deleted: reg(0) }),
          cpage("also-gone", "bc", { deleted: { timestamp: "1:2" } }),
          cpage("live", "bd"),
        ],
      },
    };
    const list = pageList({ content, fileType: "notebook", templates: [], file: "t" });
    expect(list.map((p) => [p.id, p.index])).toEqual([
      ["kept", 0],
      ["live", 1],
    ]);
  });

  test("entries without an id and duplicate ids are skipped", () => {
    expect(ids({ cPages: { pages: [cpage("", "ba"), { idx: reg("bb") }, cpage("a", "bc"), cpage("a", "bd"), 5, null] } })).toEqual(["a"]);
  });

  test("templates from the register; PDF pages without redir are inserted pages (-1); notebooks get null", () => {
    const content = { cPages: { pages: [cpage("a", "ba", { redir: reg(0), template: reg("P Dots S") }), cpage("b", "bb", { template: reg("") })] } };
    const pdf = pageList({ content, fileType: "pdf", templates: [], file: "t" });
    expect(pdf.map((p) => [p.template, p.sourcePage])).toEqual([
      ["P Dots S", 0],
      ["Blank", -1],
    ]);
    const nb = pageList({ content, fileType: "notebook", templates: [], file: "t" });
    expect(nb.map((p) => p.sourcePage)).toEqual([null, null]);
  });

  test("cPages wins over a stale pages[] array", () => {
    expect(ids({ pages: ["old"], cPages: { pages: [cpage("new", "ba")] } })).toEqual(["new"]);
  });
});

describe("pages[] (formatVersion ≤ 1) and the oldest archives", () => {
  test("pages[] keeps array order; redirectionPageMap gives source pages; templates from .pagedata", () => {
    const c = parseContent(
      JSON.stringify({ fileType: "pdf", formatVersion: 1, pages: ["x", "y", "z"], redirectionPageMap: [0, -1, 1] }),
      "c",
      "Blank\nP Lines medium\n",
    );
    expect(c.pages).toEqual([
      { id: "x", index: 0, template: "Blank", sourcePage: 0 },
      { id: "y", index: 1, template: "P Lines medium", sourcePage: -1 },
      { id: "z", index: 2, template: "Blank", sourcePage: 1 },
    ]);
  });

  test("PDF without redirectionPageMap: page i shows PDF page i", () => {
    expect(parseContent('{"fileType":"pdf","pages":["a","b"]}', "c").pages.map((p) => p.sourcePage)).toEqual([0, 1]);
  });

  test("no page ids: pages named 0, 1, … from pageCount", () => {
    const c = parseContent('{"fileType":"","pageCount":3}', "c", "P Dots S\n");
    expect(c.pages).toEqual([
      { id: "0", index: 0, template: "P Dots S", sourcePage: null },
      { id: "1", index: 1, template: "Blank", sourcePage: null },
      { id: "2", index: 2, template: "Blank", sourcePage: null },
    ]);
  });

  test("no page ids and no pageCount: count from the N.rm files present", () => {
    expect(parseContent('{"fileType":"pdf"}', "c", undefined, { indexedRmCount: 2 }).pages.map((p) => [p.id, p.sourcePage])).toEqual([
      ["0", 0],
      ["1", 1],
    ]);
    expect(parseContent('{"fileType":"pdf"}', "c").pages).toEqual([]);
  });

  test("an absurd pageCount is rejected as too_large", () => {
    expect(() => parseContent('{"pageCount": 1e12}', "huge.content")).toThrow(/at most/);
  });

  test("pagedataTemplates splits lines and drops the final newline", () => {
    expect(pagedataTemplates("Blank\r\nP Grid\n")).toEqual(["Blank", "P Grid"]);
    expect(pagedataTemplates("")).toEqual([]);
    expect(pagedataTemplates(undefined)).toEqual([]);
  });
});
