// Issue 12 item 9: inline emphasis must be CommonMark a parser reads back to the same text and
// styles. `**bol*****d ita****lic*` (bold "bol", bold-italic "d ita", italic "lic") came out as
// literal asterisks. Every case is rendered, parsed with `marked` (CommonMark mode) and compared
// character by character: same text, same bold, same italic.
import { describe, expect, test } from "bun:test";
import { marked } from "marked";
import { type Page, ParagraphStyle, type TextSpan } from "../../src/rm/model.ts";
import { textToMarkdown } from "../../src/render/markdown.ts";
import { bodyOf, markdownToBlocks } from "../../src/notion/markdown-to-blocks.ts";
import { rng } from "../support/fuzz.ts";

function pageOf(spans: TextSpan[], style: number = ParagraphStyle.PLAIN): Page {
  return {
    version: 6,
    frame: "centered",
    box: { x: -702, y: 0, w: 1404, h: 1872 },
    device: "rm2",
    layers: [],
    stats: { blocks: 0, unknownBlocks: 0, deletedItems: 0, skippedBytes: 0 },
    text: { posX: 0, posY: 0, width: 900, paragraphs: [{ style, startId: "0:0", spans }], anchors: new Map(), anchorOffsets: new Map() },
  };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };

/** Per character: [char, bold, italic], from marked's HTML of one paragraph. */
function styledChars(html: string): string[] {
  const out: string[] = [];
  let bold = 0;
  let italic = 0;
  const re = /<(\/?)(strong|em|p|br)\s*\/?>|&(#?\w+);|([\s\S])/g;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (m[2]) {
      const d = m[1] ? -1 : 1;
      if (m[2] === "strong") bold += d;
      else if (m[2] === "em") italic += d;
      continue;
    }
    const ch = m[3] ? (ENTITIES[m[3]] ?? String.fromCodePoint(Number(m[3].slice(1)))) : m[4]!;
    if (ch === "\n") continue;
    out.push(`${ch}${bold > 0 ? "B" : "-"}${italic > 0 ? "I" : "-"}`);
  }
  return out;
}

/** What the spans say, per character, with whitespace's style ignored (it sits outside markers). */
function expected(spans: TextSpan[]): string[] {
  const out: string[] = [];
  // BOLD-style ("medium") paragraphs are not emphasis: only the spans' own styles (item 10).
  for (const s of spans) for (const ch of s.text) out.push(`${ch}${s.bold ? "B" : "-"}${s.italic ? "I" : "-"}`);
  return out;
}

/** Styles of the visible characters, and the text with whitespace collapsed (whitespace sits outside markers). */
const norm = (chars: string[]) => ({
  styles: chars.filter((c) => !/^\s/.test(c)).join("|"),
  text: chars.map((c) => c[0]).join("").replace(/\s+/g, " ").trim(),
});

function roundTrip(spans: TextSpan[], style: number = ParagraphStyle.PLAIN): void {
  const md = textToMarkdown(pageOf(spans, style)).join("\n\n");
  const html = marked.parse(md, { async: false, gfm: false }) as string;
  expect({ md, chars: norm(styledChars(html)) }).toEqual({ md, chars: norm(expected(spans)) });
}

describe("inline emphasis reads back the same through a CommonMark parser", () => {
  test("the issue's case: emphasis that starts and ends inside words", () => {
    roundTrip([
      { text: "bol", bold: true, italic: false },
      { text: "d ita", bold: true, italic: true },
      { text: "lic", bold: false, italic: true },
    ]);
  });

  test("whole words keep plain * markers", () => {
    const spans = [
      { text: "Normal ", bold: false, italic: false },
      { text: "bold", bold: true, italic: false },
      { text: " ", bold: false, italic: false },
      { text: "italic", bold: false, italic: true },
    ];
    expect(textToMarkdown(pageOf(spans))).toEqual(["Normal **bold** *italic*"]);
    roundTrip(spans);
  });

  test("punctuation, asterisks and underscores next to the markers", () => {
    roundTrip([{ text: "x.", bold: true, italic: false }, { text: "y", bold: false, italic: false }]);
    roundTrip([{ text: "(", bold: false, italic: false }, { text: ".a", bold: false, italic: true }, { text: "*)", bold: false, italic: false }]);
    roundTrip([{ text: "snake_", bold: false, italic: false }, { text: "case", bold: true, italic: false }, { text: "_x", bold: false, italic: true }]);
  });

  test("300 seeded span sequences (plain and BOLD-style paragraphs)", () => {
    const words = ["a", "bc", "d e", " f", "g ", ".", ",x", "*", "_", "1", "é", "<b>", "&", "[y]", "z!", "(", ")", "[[Wiki link]]", "#tag", " #tag2 ", "[[a_b|c]]", "#"];
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 6);
      const spans: TextSpan[] = [];
      for (let i = 0; i < n; i++) spans.push({ text: words[Math.floor(r() * words.length)]!, bold: r() < 0.4, italic: r() < 0.4 });
      if (!spans.some((s) => s.text.trim())) continue;
      roundTrip(spans, seed % 5 === 0 ? ParagraphStyle.BOLD : ParagraphStyle.PLAIN);
    }
  });
});

test("Notion sync reads the inline <strong>/<em> as bold and italic, not as literal tags", () => {
  const md = textToMarkdown(pageOf([
    { text: "bol", bold: true, italic: false },
    { text: "d ita", bold: true, italic: true },
    { text: "lic", bold: false, italic: true },
  ])).join("\n\n");
  const rich = bodyOf(markdownToBlocks(md)[0]!).rich_text!;
  const styled = rich.map((r) => `${r.text.content}:${r.annotations?.bold ? "B" : "-"}${r.annotations?.italic ? "I" : "-"}`);
  expect(styled).toEqual(["bol:B-", "d ita:BI", "lic:-I"]);
});

// Issue 12 item 11 (part): highlights of different colours are separate passages, and overlapping
// character ranges do not repeat words ("classes of of numbers").
import { highlightPassages } from "../../src/render/markdown.ts";
import { highlight } from "./fixtures.ts";

test("adjacent highlights of different colours stay separate; overlapping ranges quote each word once", () => {
  const line = (y: number) => [{ x: 0, y, w: 300, h: 30 }];
  const yellowThenGreen = [
    highlight("classes of", line(100), { start: 0, length: 10, color: 3 }),
    highlight("numbers", line(100), { start: 11, length: 7, color: 4 }),
  ];
  expect(highlightPassages(yellowThenGreen)).toEqual([{ text: "classes of", color: "yellow" }, { text: "numbers", color: "green" }]);
  const overlapping = [
    highlight("classes of", line(100), { start: 0, length: 10 }),
    highlight("of numbers", line(100), { start: 8, length: 10 }),
  ];
  expect(highlightPassages(overlapping)).toEqual([{ text: "classes of numbers", color: "yellow" }]);
  const inside = [highlight("classes of numbers", line(100), { start: 0, length: 18 }), highlight("of", line(100), { start: 8, length: 2, color: 4 })];
  expect(highlightPassages(inside)).toEqual([{ text: "classes of numbers", color: "yellow" }]);
});

// Issue 12 item 10: "medium" (BOLD-style) paragraphs are not bold; wiki links and #tags typed on the
// tablet stay as written; the document's tags are exported. Read back through marked.
import { renderMarkdown } from "../../src/render/markdown.ts";

describe("Markdown that Obsidian and Logseq read", () => {
  const html = (md: string) => marked.parse(md, { async: false, gfm: false }) as string;

  test("a BOLD-style (\"medium\") paragraph is a plain paragraph; its own bold span stays bold", () => {
    const md = textToMarkdown(pageOf([{ text: "Tap or tick the box ", bold: false, italic: false }, { text: "here", bold: true, italic: false }], ParagraphStyle.BOLD));
    expect(md).toEqual(["Tap or tick the box **here**"]);
    expect(html(md.join("\n\n"))).toBe("<p>Tap or tick the box <strong>here</strong></p>\n");
  });

  test("[[wiki links]] and #tags are kept as typed, and read back as the same text", () => {
    const typed = "See [[Project plan]] and [[notes_2024|old notes]] #todo #work/q3";
    const md = textToMarkdown(pageOf([{ text: typed, bold: false, italic: false }]));
    expect(md).toEqual([typed]);
    expect(html(md[0]!)).toBe(`<p>${typed}</p>\n`);
    // A #tag at the start of a line is not a heading and is kept; "# x" still is escaped.
    expect(textToMarkdown(pageOf([{ text: "#idea for later", bold: false, italic: false }]))).toEqual(["#idea for later"]);
    expect(textToMarkdown(pageOf([{ text: "# not a heading", bold: false, italic: false }]))).toEqual(["\\# not a heading"]);
    // Brackets that are not a wiki link, or a "wiki link" followed by (url), are still escaped.
    const risky = textToMarkdown(pageOf([{ text: "[[x]](javascript:alert(1)) [y] [[<b>]]", bold: false, italic: false }]))[0]!;
    expect(html(risky)).not.toContain("<a");
    expect(html(risky)).not.toContain("<b>");
    expect(html(risky).replace(/&lt;/g, "<").replace(/&gt;/g, ">")).toContain("[[x]](javascript:alert(1)) [y] [[<b>]]");
  });

  test("the document's and each page's tags are exported as #tags", () => {
    const p = pageOf([{ text: "body", bold: false, italic: false }]);
    const md = renderMarkdown({ title: "Doc", tags: ["work", "two words", "work", "a<b>"], pages: [{ page: p, tags: ["page-tag"] }] });
    expect(md).toBe("# Doc\n\nTags: #work #[[two words]] \\#a\\<b\\>\n\nTags: #page-tag\n\nbody\n");
    const out = html(md);
    expect(out).toContain("<p>Tags: #work #[[two words]] #a&lt;b&gt;</p>");
    expect(out).toContain("<p>Tags: #page-tag</p>");
  });
});

// Issue 12 item 11: one passage per highlight as the tablet shows it, with its colour, in page order.
import { readFileSync } from "node:fs";
import { parsePage } from "../../src/rm/page.ts";
import { describeSamples, sample } from "../support/samples.ts";

describeSamples("highlights from real pages: one passage each, its colour, page order, no repeated words", () => {
  const md = (name: string) => renderMarkdown({ title: "", pages: [{ page: parsePage(new Uint8Array(readFileSync(sample(name))), name) }] });
  const quotes = (text: string) => text.split("\n").filter((l) => l.startsWith("> "));

  test("Paper Pro: the same sentence highlighted in six colours stays six passages, top to bottom", () => {
    const out = md("rmscene__Color_and_tool_v3.14.4.rm");
    const q = quotes(out);
    expect(q).toEqual(["yellow", "blue", "pink", "orange", "green", "grey"].map((c) => `> This is a test sentence. *(${c})*`));
    // marked reads each back as a quote with the text and the colour in italics
    const html = marked.parse(out, { async: false, gfm: false }) as string;
    expect(html.match(/<blockquote>/g)).toHaveLength(6);
    expect(html).toContain("<p>This is a test sentence. <em>(orange)</em></p>");
  });

  test("fw 3.1 Wikipedia page: a highlight over three lines (one fragment per line) is one passage; words never repeat", () => {
    const q = quotes(md("rmscene__Wikipedia_highlighted_p1.rm"));
    expect(q).toEqual([
      "> The reMarkable uses electronic paper *(yellow)*",
      "> ReMarkable uses its own operating system, named Codex. Codex is based on Linux and optimized for electronic paper display technology.\\[13\\] *(yellow)*",
    ]);
    const p2 = quotes(md("rmscene__Wikipedia_highlighted_p2.rm"));
    expect(p2).toEqual(["> 177 mm × 256 mm× 6.7 mm *(green)*", "> also *(pink)*"]);
  });

  test("synthetic variants of the real page: overlapping and adjacent highlights of other colours", () => {
    const name = "rmscene__Wikipedia_highlighted_p1.rm";
    const base = parsePage(new Uint8Array(readFileSync(sample(name))), name);
    const hls = base.layers.flatMap((l) => l.children).filter((c) => c.kind === "highlight");
    const first = hls[0]!; // "The reMarkable uses electronic paper", start 821
    // A green highlight overlapping its end ("electronic paper display") and a pink one right after it.
    const overlap = { ...first, id: "x:1", color: 4, text: "electronic paper display", start: 821 + 20, length: 24, rects: [{ ...first.rects[0]!, x: first.rects[0]!.x + 500 }] };
    const after = { ...first, id: "x:2", color: 5, text: "technology", start: 821 + 45, length: 10, rects: [{ ...first.rects[0]!, x: first.rects[0]!.x + 700 }] };
    const page = { ...base, layers: [{ ...base.layers[0]!, children: [after, overlap, ...base.layers[0]!.children] }] };
    const q = quotes(renderMarkdown({ title: "", pages: [{ page }] }));
    expect(q.slice(0, 3)).toEqual(["> The reMarkable uses electronic paper *(yellow)*", "> display *(green)*", "> technology *(pink)*"]);
    // every word of the page's highlights appears once
    const words = q.join(" ").replace(/\*\([a-z]+\)\*/g, "").match(/[A-Za-z]+/g)!;
    expect(words.filter((w) => w === "paper")).toHaveLength(2); // "electronic paper" twice on the page (two separate highlights)
    expect(words.filter((w) => w === "display")).toHaveLength(2);
  });
});

// The same cases as written by the tablet: glyph-range blocks built byte by byte and parsed.
import { glyphItem, groupItem, page as v6page, sceneTree } from "../support/v6-builder.ts";

test("parsed v6 glyph ranges (synthetic): adjacent colours separate, overlaps once, a multi-line highlight one passage, page order", () => {
  const line = (y: number, w = 400): [number, number, number, number] => [-600, y, w, 40];
  const bytes = v6page(
    sceneTree(0, 11),
    groupItem([0, 1], [0, 12], [0, 0], [0, 0], [0, 11]),
    // stored out of page order on purpose
    glyphItem([0, 11], [0, 20], [0, 0], [0, 21], { start: 200, length: 16, color: 5, text: "a later passage.", rects: [line(900)] }),
    glyphItem([0, 11], [0, 21], [0, 20], [0, 22], { start: 0, length: 10, color: 3, text: "classes of", rects: [line(100, 200)] }),
    glyphItem([0, 11], [0, 22], [0, 21], [0, 23], { start: 8, length: 10, color: 3, text: "of numbers", rects: [line(100, 300)] }),
    glyphItem([0, 11], [0, 23], [0, 22], [0, 24], { start: 19, length: 8, color: 4, text: "computed", rects: [line(100, 500)] }),
    // one highlight over two lines, stored as one fragment per line (same colour, adjacent ranges)
    glyphItem([0, 11], [0, 24], [0, 23], [0, 25], { start: 100, length: 20, color: 9, argb: 0xffffc38c, text: "first line of it and", rects: [line(500)] }),
    glyphItem([0, 11], [0, 25], [0, 24], [0, 0], { start: 121, length: 15, color: 9, argb: 0xffffc38c, text: "the second line", rects: [line(545)] }),
  );
  const parsed = parsePage(bytes, "synthetic.rm");
  const md = renderMarkdown({ title: "", pages: [{ page: parsed }] });
  expect(md.split("\n").filter((l) => l.startsWith("> "))).toEqual([
    "> classes of numbers *(yellow)*",
    "> computed *(green)*",
    "> first line of it and the second line *(orange)*",
    "> a later passage. *(pink)*",
  ]);
});
