// Run by pdf-fonts.test.ts in a mount namespace where /usr/share/fonts is empty: renders a page of
// typed text to PDF and prints what it embeds (JSON on stdout).
import * as mupdf from "mupdf";
import { readdirSync } from "node:fs";
import { ParagraphStyle } from "../../src/rm/model.ts";
import { renderPdf } from "../../src/render/pdf.ts";
import { pngFonts } from "../../src/render/png-fonts.ts";
import { page, para } from "./fixtures.ts";

const p = page([], {
  text: {
    posX: -468,
    posY: 234,
    width: 936,
    paragraphs: [
      para("Heading", ParagraphStyle.HEADING),
      { style: ParagraphStyle.PLAIN, startId: "1:1", spans: [{ text: "Grüße, Ελληνικά, Кириллица ", bold: false, italic: false }, { text: "bold", bold: true, italic: true }] },
    ],
    anchors: new Map(),
    anchorOffsets: new Map(),
  },
});
const bytes = await renderPdf({ title: "t", pages: [{ page: p, sourcePage: null }] });
const doc = mupdf.Document.openDocument(bytes, "application/pdf") as mupdf.PDFDocument;
const fonts: Array<{ name: string; embedded: boolean }> = [];
(doc.loadPage(0) as mupdf.PDFPage).getObject().get("Resources").get("Font").forEach((f: mupdf.PDFObject) => {
  const font = f.resolve();
  const leaf = font.get("Subtype").asName() === "Type0" ? font.get("DescendantFonts").get(0).resolve() : font;
  const fd = leaf.get("FontDescriptor");
  fonts.push({ name: font.get("BaseFont").asName(), embedded: !fd.isNull() && !fd.resolve().get("FontFile2").isNull() });
});
const text = doc.loadPage(0).toStructuredText("preserve-whitespace").asText().replace(/\s+/g, " ");
console.log(JSON.stringify({ installed: readdirSync("/usr/share/fonts").length, fonts, png: (await pngFonts()).length, text }));
