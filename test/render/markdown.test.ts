import { describe, expect, test } from "bun:test";
import { ParagraphStyle } from "../../src/rm/model.ts";
import { escapeInline, highlightPassages, renderMarkdown } from "../../src/render/markdown.ts";
import { describeSamples } from "../support/samples.ts";
import { highlight, layer, loadSample, page, para } from "./fixtures.ts";

const md = (name: string) => renderMarkdown({ title: "", pages: [{ page: loadSample(name) }] });

describe("renderMarkdown", () => {
  test("styles, nesting and inline emphasis", () => {
    const text = {
      posX: 0,
      posY: 0,
      width: 900,
      anchors: new Map<string, number>(),
      anchorOffsets: new Map<string, number>(),
      paragraphs: [
        para("Title", ParagraphStyle.HEADING),
        para("Sub", ParagraphStyle.BOLD),
        para("a", ParagraphStyle.BULLET),
        para("b", ParagraphStyle.BULLET2),
        para("one", ParagraphStyle.NUMBERED),
        para("one.one", ParagraphStyle.NUMBERED2),
        para("two", ParagraphStyle.NUMBERED),
        para("todo", ParagraphStyle.CHECKBOX),
        para("done", ParagraphStyle.CHECKBOX2_CHECKED),
        para(""),
        { style: 1, startId: "x", spans: [{ text: "x ", bold: false, italic: false }, { text: " bold ", bold: true, italic: false }, { text: "it", bold: false, italic: true }] },
      ],
    };
    const out = renderMarkdown({ title: "Doc", pages: [{ page: page([], { text }) }] });
    expect(out).toBe(
      [
        "# Doc",
        "## Title",
        "Sub", // BOLD style ("medium" size) is not emphasis (issue 12 item 10)
        "- a\n  - b\n1. one\n   1. one.one\n2. two\n- [ ] todo\n  - [x] done",
        "x  **bold** *it*",
      ].join("\n\n") + "\n",
    );
  });

  test("Markdown-significant characters in text are escaped", () => {
    const hostile = "# not a heading *not bold* [link](javascript:x) <b>html</b> | `code` 1. not a list";
    const out = renderMarkdown({ title: "A *title*", pages: [{ page: page([], { text: { posX: 0, posY: 0, width: 900, anchors: new Map(), anchorOffsets: new Map(), paragraphs: [para(hostile), para("- dash", 4)] } }) }] });
    expect(out).toContain("# A \\*title\\*");
    expect(out).toContain("\\# not a heading \\*not bold\\* \\[link\\](javascript:x) \\<b\\>html\\</b\\> \\| \\`code\\` 1. not a list");
    expect(out).toContain("- \\- dash"); // item text cannot open a nested list
    expect(escapeInline("a_b~c")).toBe("a\\_b\\~c");
  });

  test("highlights become blockquotes; fragments on consecutive lines merge", () => {
    const hl = [
      highlight("first part of", [{ x: 0, y: 100, w: 300, h: 30 }], { start: 10, length: 13 }),
      highlight("the sentence.", [{ x: 0, y: 135, w: 200, h: 30 }], { start: 24, length: 13 }),
      highlight("Elsewhere", [{ x: 0, y: 900, w: 100, h: 30 }], { start: 400, length: 9 }),
    ];
    const yellow = (text: string) => ({ text, color: "yellow" });
    expect(highlightPassages(hl)).toEqual([yellow("first part of the sentence."), yellow("Elsewhere")]);
    const byRects = hl.map(({ start: _s, length: _l, ...h }) => h);
    expect(highlightPassages(byRects)).toEqual([yellow("first part of the sentence."), yellow("Elsewhere")]);
    const out = renderMarkdown({ title: "", pages: [{ page: page([layer(hl)]) }, { page: null, highlights: [highlight("> json *hl*", [])] }] });
    expect(out).toContain("> first part of the sentence. *(yellow)*\n\n> Elsewhere *(yellow)*");
    expect(out).toContain("<!-- page 1 -->");
    expect(out).toContain("---\n\n<!-- page 2 -->\n\n> \\> json \\*hl\\*");
  });

  test("empty documents give an empty string", () => {
    expect(renderMarkdown({ title: "", pages: [{ page: null }] })).toBe("");
  });
});

describeSamples("renderMarkdown on styled-text samples", () => {
  test("rmscene Bold_Heading_Bullet_Normal", () => {
    expect(md("rmscene__Bold_Heading_Bullet_Normal.rm")).toBe("A\n\n# new line\n\n- B is a letter of the alphabet\n\nC\n");
  });

  test("scrybble text.rm: headings with inline styles, nested bullets, checkboxes, numbered lists", () => {
    const out = md("scrybble-rmc__text.rm");
    expect(out).toContain("# Hello, how we **doing**\n\nBold text\n\n- One\n- Two\n- Three\n  - Sub three");
    expect(out).toContain("- [ ] Hmm\n  - [ ] Hmm2\n- [ ] Hmm3");
    expect(out).toContain("# Another ***heading***");
    expect(out).toContain("1. Hi\n   1. Hi again\n   2. This is *Italic*\n   3. This **bold**\n   4. This is ***bold and italic***");
  });

  test("rmc keyboard checkboxes and bullets", () => {
    expect(md("rmc__keyboard-checkboxes-and-bullets.rm")).toBe(
      "# This is a text test file\n\n- [ ] checkbox\n- bullet\n\nsmall\n\nmedium\n\n# large\n\n- [x] crossed check\n",
    );
  });

  test("glyph-range highlights on a PDF page", () => {
    const out = md("rmscene__Wikipedia_highlighted_p1.rm");
    expect(out).toStartWith("> The reMarkable uses electronic paper");
    expect(out.match(/^> /gm)?.length).toBeGreaterThanOrEqual(1);
  });
});
