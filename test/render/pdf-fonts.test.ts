// Issue 12 item 4: typed text in PDFs uses embedded fonts (subsets of DejaVu, whose licence allows
// embedding), never the non-embedded standard fonts, and stays extractable (MuPDF reads it back).
// Without the font files the PDF falls back to the standard fonts, as before.
import { afterEach, describe, expect, test } from "bun:test";
import * as mupdf from "mupdf";
import { existsSync, readFileSync } from "node:fs";
import { ParagraphStyle } from "../../src/rm/model.ts";
import { setPdfFontFiles } from "../../src/render/pdf-fonts.ts";
import { renderPdf } from "../../src/render/pdf.ts";
import { parseTtf } from "../../src/render/ttf.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";
import { loadSample, page, para } from "./fixtures.ts";

const DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const HAVE_FONTS = existsSync(DEJAVU);
if (!HAVE_FONTS) console.warn(`[pdf-fonts] ${DEJAVU} not found (apt-get install fonts-dejavu-core): embedding tests skipped`);

interface FontInfo {
  name: string;
  subtype: string;
  embedded: "FontFile2" | "FontFile3" | "FontFile" | null;
  length1: number;
}

function fontsOf(bytes: Uint8Array): FontInfo[] {
  const doc = mupdf.Document.openDocument(bytes, "application/pdf") as mupdf.PDFDocument;
  const out: FontInfo[] = [];
  for (let i = 0; i < doc.countPages(); i++) {
    const fonts = (doc.loadPage(i) as mupdf.PDFPage).getObject().get("Resources").get("Font");
    if (!fonts.isDictionary()) continue;
    fonts.forEach((f: mupdf.PDFObject) => {
      const font = f.resolve();
      const leaf = font.get("Subtype").asName() === "Type0" ? font.get("DescendantFonts").get(0).resolve() : font;
      const fdRef = leaf.get("FontDescriptor");
      const fd = fdRef.isNull() ? null : fdRef.resolve(); // base-14 fonts have none
      const which = (["FontFile2", "FontFile3", "FontFile"] as const).find((k) => fd?.isDictionary() && !fd.get(k).isNull()) ?? null;
      out.push({
        name: font.get("BaseFont").asName(),
        subtype: font.get("Subtype").asName(),
        embedded: which,
        length1: which && fd ? fd.get(which).resolve().get("Length1").asNumber() : 0,
      });
    });
  }
  return out;
}

const text = (bytes: Uint8Array) => {
  const doc = mupdf.Document.openDocument(bytes, "application/pdf");
  let s = "";
  for (let i = 0; i < doc.countPages(); i++) s += doc.loadPage(i).toStructuredText("preserve-whitespace").asText();
  return s.replace(/\s+/g, " ");
};

const styled = () =>
  page([], {
    text: {
      posX: -468,
      posY: 234,
      width: 936,
      paragraphs: [
        para("Heading Ærø", ParagraphStyle.HEADING),
        { style: ParagraphStyle.PLAIN, startId: "1:1", spans: [{ text: "Grüße, Ελληνικά, Кириллица ", bold: false, italic: false }, { text: "bold", bold: true, italic: true }] },
        para("first", ParagraphStyle.NUMBERED, "1:2"),
      ],
      anchors: new Map(),
      anchorOffsets: new Map(),
    },
  });

afterEach(() => setPdfFontFiles(null));

(HAVE_FONTS ? describe : describe.skip)("embedded fonts", () => {
  test("every font is embedded (FontFile2), subsetted, and the text reads back, non-Latin included", async () => {
    const bytes = await renderPdf({ title: "t", pages: [{ page: styled(), sourcePage: null }] });
    const fonts = fontsOf(bytes);
    expect(fonts.length).toBeGreaterThanOrEqual(3); // serif (heading), sans, sans bold-oblique
    for (const f of fonts) {
      expect(f.embedded).toBe("FontFile2");
      expect(f.subtype).toBe("Type0");
      expect(f.name).toMatch(/^[A-Z]{6}\+DejaVu/);
    }
    // Subsets: the full DejaVuSans is ~740 kB; a page of text needs a few kB of outlines.
    const full = readFileSync(DEJAVU).length;
    for (const f of fonts) expect(f.length1).toBeLessThan(full / 4);
    // Selectable: the text (and what standard fonts turned into "?") is extractable as typed.
    const t = text(bytes);
    expect(t).toContain("Heading Ærø");
    expect(t).toContain("Grüße, Ελληνικά, Кириллица bold");
    expect(t).toContain("1.");
    expect(t).not.toContain("?");
  });

  (HAVE_SAMPLES ? test : test.skip)("a real typed-text page (scrybble text.rm): no base-14 font, text extractable", async () => {
    const bytes = await renderPdf({ title: "t", pages: [{ page: loadSample("scrybble-rmc__text.rm"), sourcePage: null }] });
    const fonts = fontsOf(bytes);
    expect(fonts.map((f) => f.embedded)).not.toContain(null);
    expect(fonts.some((f) => /Helvetica|Times/.test(f.name))).toBe(false);
    expect(text(bytes)).toContain("This is bold and italic");
    void sample;
  });

  test("the subset is a valid TrueType font holding the glyphs used", () => {
    const ttf = parseTtf(new Uint8Array(readFileSync(DEJAVU)));
    const gids = [..."Hé"].map((c) => ttf.glyph(c.codePointAt(0)!));
    expect(gids.every((g) => g > 0)).toBe(true);
    const sub = parseTtf(ttf.subset(gids));
    expect(sub.numGlyphs).toBe(ttf.numGlyphs); // ids kept (CIDToGIDMap /Identity)
    expect(sub.advance(gids[0]!)).toBe(ttf.advance(gids[0]!));
    expect(ttf.subset(gids).length).toBeLessThan(readFileSync(DEJAVU).length / 4);
  });
});

test("without font files: standard fonts (not embedded), text still extractable", async () => {
  setPdfFontFiles({});
  const bytes = await renderPdf({ title: "t", pages: [{ page: styled(), sourcePage: null }] });
  const fonts = fontsOf(bytes);
  expect(fonts.every((f) => f.embedded === null && f.subtype === "Type1")).toBe(true);
  expect(text(bytes)).toContain("Heading");
});

test("a font file that is not a font: parseTtf refuses it, the PDF uses the standard font", async () => {
  expect(() => parseTtf(new Uint8Array([0, 1, 0, 0, 0, 9, 1, 2]))).toThrow();
  setPdfFontFiles({ sans: new Uint8Array([1, 2, 3, 4]) });
  const bytes = await renderPdf({ title: "t", pages: [{ page: styled(), sourcePage: null }] });
  expect(text(bytes)).toContain("Heading");
});

(HAVE_FONTS ? test : test.skip)("only the upright faces installed (Debian's fonts-dejavu-core): italics are the upright face, slanted, still embedded", async () => {
  const f = (n: string) => new Uint8Array(readFileSync(`/usr/share/fonts/truetype/dejavu/${n}`));
  setPdfFontFiles({ sans: f("DejaVuSans.ttf"), "sans-bold": f("DejaVuSans-Bold.ttf"), serif: f("DejaVuSerif.ttf"), "serif-bold": f("DejaVuSerif-Bold.ttf") });
  const bytes = await renderPdf({ title: "t", pages: [{ page: styled(), sourcePage: null }] });
  const fonts = fontsOf(bytes);
  expect(fonts.every((x) => x.embedded === "FontFile2")).toBe(true);
  expect(fonts.some((x) => /Oblique|Italic/.test(x.name))).toBe(false);
  expect(text(bytes)).toContain("Кириллица bold");
  // the bold-italic run is drawn with a sheared text matrix
  const doc = mupdf.Document.openDocument(bytes, "application/pdf") as mupdf.PDFDocument;
  const c = (doc.loadPage(0) as mupdf.PDFPage).getObject().get("Contents");
  const streams = c.isArray() ? Array.from({ length: c.length }, (_, i) => c.get(i)) : [c];
  expect(streams.map((s) => s.readStream().asString()).join("\n")).toMatch(/ 1 0 0\.2 -1 [\d.-]+ [\d.-]+ Tm /);
});
