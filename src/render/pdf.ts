// A whole document → PDF (pdf-lib). Notebook pages become pages of the device's physical size
// (extended by ink outside the page); for PDF/EPUB-backed documents the original pages are kept
// and the annotations drawn on top at the tablet's placement (pdf-place.ts), the page growing
// where ink lies beyond it. Landscape documents are laid out as the tablet shows them (turned a
// quarter clockwise, scene.ts). Typed text is real text; headings and page titles become bookmarks.

import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, type PDFPage, type PDFRef } from "pdf-lib";
import { DEVICES, type Device, type Highlight, type Page, ParagraphStyle, type Rect } from "../rm/model.ts";
import { sceneOperators, type FontFace, type PdfResources } from "./pdf-ink.ts";
import { DocumentFonts, pdfFontFiles } from "./pdf-fonts.ts";
import { concat, type Matrix, placeOnOwnPage, placeOnPdfPage, type PdfBox } from "./pdf-place.ts";
import { buildScene, COORD_LIMIT, displayMatrix, type Rotation, rotationOf, toDisplay } from "./scene.ts";

export interface PdfPageInput {
  /** The parsed page; null = no annotations (a blank page, or the original page untouched). */
  page: Page | null;
  /** 0-based page of the background PDF; -1 = a page inserted on the tablet; null = notebook. */
  sourcePage: number | null;
  /** Highlights kept outside the .rm (fw 2.x `.highlights/<page>.json`), in page coordinates. */
  highlights?: Highlight[];
  /** Bookmark title for this page (else the page's first heading, if any). */
  title?: string;
}

export interface PdfInput {
  title: string;
  pages: PdfPageInput[];
  /** The original PDF of a PDF/EPUB document. */
  background?: Uint8Array;
  orientation?: "portrait" | "landscape";
  /** Device for pages without their own (blank pages); default: the first page's, else rm2. */
  device?: Device;
}

export async function renderPdf(doc: PdfInput): Promise<Uint8Array> {
  const out = await PDFDocument.create();
  out.setTitle(doc.title || "Untitled");
  out.setProducer("rmirror");
  out.setCreator("rmirror");

  const bg = doc.background ? await loadBackground(doc.background) : null;
  const bgCount = bg ? bg.getPageCount() : 0;
  const wanted = doc.pages
    .map((p) => p.sourcePage)
    .filter((s): s is number => s !== null && s >= 0 && s < bgCount);
  const unique = [...new Set(wanted)];
  const copied = new Map<number, PDFPage>();
  if (bg && unique.length) {
    const pages = await out.copyPages(bg, unique);
    unique.forEach((src, i) => copied.set(src, pages[i]!));
  }
  const used = new Set<number>();

  const rotation = rotationOf(doc.orientation);
  const sceneOpts = doc.orientation ? { orientation: doc.orientation } : {};
  const fallbackDevice: Device = doc.device ?? doc.pages.find((p) => p.page)?.page?.device ?? "rm2";
  // Font files are read (once per process) only when some page has typed text.
  const hasText = doc.pages.some((p) => p.page?.text?.paragraphs.some((q) => q.spans.length));
  const fonts = new DocumentFonts(out, hasText ? await pdfFontFiles() : new Map());
  const gsRefs = new Map<string, PDFRef>();
  const gsDict = (opacity: number, multiply: boolean): PDFRef => {
    const key = `${Math.round(opacity * 100)}${multiply ? "m" : ""}`;
    let ref = gsRefs.get(key);
    if (!ref) {
      const o = Math.round(opacity * 100) / 100;
      const entries: Record<string, unknown> = { Type: "ExtGState", CA: o, ca: o };
      if (multiply) entries.BM = "Multiply";
      ref = out.context.register(out.context.obj(entries as never));
      gsRefs.set(key, ref);
    }
    return ref;
  };
  let wrapStart: PDFRef | null = null;
  let wrapEnd: PDFRef | null = null;
  const outline: Array<{ title: string; page: PDFPage }> = [];

  for (const entry of doc.pages) {
    const src = entry.sourcePage;
    let pdfPage: PDFPage;
    let matrix: Matrix | null = null;
    const page = entry.page;
    const scene = page ? buildScene(page, sceneOpts) : null;
    if (src !== null && src >= 0 && copied.has(src)) {
      // Original page; a page listed twice is copied again so both can carry annotations.
      let p: PDFPage | undefined = copied.get(src);
      if (used.has(src)) [p] = await out.copyPages(bg!, [src]);
      used.add(src);
      pdfPage = out.addPage(p);
      if (page || entry.highlights?.length) {
        const crop = pdfPage.getCropBox();
        const box: PdfBox = { x0: crop.x, y0: crop.y, x1: crop.x + crop.width, y1: crop.y + crop.height };
        const s = scene ?? emptyScene(rotation);
        const dpi = DEVICES[page?.device ?? fallbackDevice].dpi;
        matrix = placeOnPdfPage({ frame: page?.frame ?? "topleft", dpi, page: s.box, rotation: s.rotation }, box, pdfPage.getRotation().angle);
        if (s.ink) extendPage(pdfPage, box, inkInUserSpace(matrix, s.ink));
        // Isolate the original content's graphics state from ours.
        wrapStart ??= out.context.register(out.context.flateStream("q\n"));
        wrapEnd ??= out.context.register(out.context.flateStream("\nQ\n"));
        pdfPage.node.wrapContentStreams(wrapStart, wrapEnd);
      }
    } else {
      const device = page?.device ?? fallbackDevice;
      const d = DEVICES[device];
      const view = scene ? scene.view : toDisplay({ x: 0, y: 0, w: d.width, h: d.height }, rotation);
      const placed = placeOnOwnPage(view, d.dpi);
      // Landscape pages are wider than tall, drawn upright (no /Rotate): every viewer shows the same.
      pdfPage = out.addPage([placed.width, placed.height]);
      matrix = placed.matrix;
    }

    if (matrix && (page || entry.highlights?.length)) {
      const s = scene ?? emptyScene(rotation);
      const res = resources(out, pdfPage, fonts, gsDict);
      const ops = sceneOperators(s, concat(matrix, displayMatrix(s.rotation)), res, entry.highlights ? { extraHighlights: entry.highlights } : {});
      pdfPage.node.addContentStream(out.context.register(out.context.flateStream(ops)));
    }

    const title = (entry.title ?? (page ? firstHeading(page) : "")).trim();
    if (title) outline.push({ title, page: pdfPage });
  }

  if (out.getPageCount() === 0) {
    const d = DEVICES[fallbackDevice];
    const shown = toDisplay({ x: 0, y: 0, w: d.width, h: d.height }, rotation);
    out.addPage([shown.w * (72 / d.dpi), shown.h * (72 / d.dpi)]);
  }
  if (outline.length) writeOutline(out, outline);
  fonts.finish();
  return out.save({ useObjectStreams: true });
}

async function loadBackground(bytes: Uint8Array): Promise<PDFDocument | null> {
  try {
    return await PDFDocument.load(bytes, { ignoreEncryption: true, throwOnInvalidObject: false, updateMetadata: false });
  } catch {
    return null; // unreadable original: annotations still render on blank pages
  }
}

/** The corners of a display-units rectangle mapped to user space, as a box. */
function inkInUserSpace(m: Matrix, r: Rect): PdfBox {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [x, y] of [[r.x, r.y], [r.x + r.w, r.y], [r.x, r.y + r.h], [r.x + r.w, r.y + r.h]] as const) {
    xs.push(m[0] * x + m[2] * y + m[4]);
    ys.push(m[1] * x + m[3] * y + m[5]);
  }
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/** Less than this beyond the page (pt) is not worth a bigger page (rounding, a stroke's edge). */
const EXTEND_SLACK = 0.5;

/**
 * Ink beyond the original page: like the desktop app's export, the page grows (MediaBox and CropBox
 * are the page's box extended by the ink, in user space) and the original content stays where it
 * is, so it ends up at the right offset inside the wider page.
 */
function extendPage(pdfPage: PDFPage, crop: PdfBox, ink: PdfBox): void {
  const grow = (a: number, b: number, lower: boolean) => (lower ? (b < a - EXTEND_SLACK ? b : a) : b > a + EXTEND_SLACK ? b : a);
  const x0 = grow(crop.x0, ink.x0, true);
  const y0 = grow(crop.y0, ink.y0, true);
  const x1 = grow(crop.x1, ink.x1, false);
  const y1 = grow(crop.y1, ink.y1, false);
  if (x0 === crop.x0 && y0 === crop.y0 && x1 === crop.x1 && y1 === crop.y1) return;
  const limit = (v: number) => Math.max(-COORD_LIMIT, Math.min(COORD_LIMIT, v));
  const [bx0, by0, bx1, by1] = [limit(x0), limit(y0), limit(x1), limit(y1)];
  pdfPage.setMediaBox(bx0, by0, bx1 - bx0, by1 - by0);
  pdfPage.setCropBox(bx0, by0, bx1 - bx0, by1 - by0);
  // Trim/bleed/art boxes of the original would clip the new margin in some viewers.
  for (const name of ["TrimBox", "BleedBox", "ArtBox"]) pdfPage.node.delete(PDFName.of(name));
}

function emptyScene(rotation: Rotation): ReturnType<typeof buildScene> {
  return buildScene({
    version: 0,
    frame: "topleft",
    box: { x: 0, y: 0, w: 1404, h: 1872 },
    device: "rm2",
    layers: [],
    stats: { blocks: 0, unknownBlocks: 0, deletedItems: 0, skippedBytes: 0 },
  }, rotation === 90 ? { orientation: "landscape" } : {});
}

function resources(
  out: PDFDocument,
  page: PDFPage,
  fonts: DocumentFonts,
  gsDict: (opacity: number, multiply: boolean) => PDFRef,
): PdfResources {
  const gsNames = new Map<string, string>();
  const fontNames = new Map<FontFace, string>();
  return {
    gs(opacity, multiply = false) {
      const key = `${Math.round(opacity * 100)}${multiply ? "m" : ""}`;
      let name = gsNames.get(key);
      if (!name) {
        name = `/Rm${key}`;
        page.node.setExtGState(PDFName.of(name.slice(1)), gsDict(opacity, multiply));
        gsNames.set(key, name);
      }
      return name;
    },
    font(face) {
      const font = fonts.get(face);
      let name = fontNames.get(face);
      if (!name) {
        name = `/RmF${fontNames.size}`;
        page.node.setFontDictionary(PDFName.of(name.slice(1)), font.ref);
        fontNames.set(face, name);
      }
      return { name, font };
    },
  };
}

function firstHeading(page: Page): string {
  const p = page.text?.paragraphs.find((q) => q.style === ParagraphStyle.HEADING && q.spans.some((s) => s.text.trim()));
  return p ? p.spans.map((s) => s.text).join("").replace(/\s+/g, " ").slice(0, 200) : "";
}

/** Document outline (bookmarks): one flat entry per titled page. */
function writeOutline(out: PDFDocument, entries: Array<{ title: string; page: PDFPage }>): void {
  const ctx = out.context;
  const rootRef = ctx.nextRef();
  const refs = entries.map(() => ctx.nextRef());
  entries.forEach((e, i) => {
    const dict = ctx.obj({}) as PDFDict;
    dict.set(PDFName.of("Title"), PDFHexString.fromText(e.title));
    dict.set(PDFName.of("Parent"), rootRef);
    if (i > 0) dict.set(PDFName.of("Prev"), refs[i - 1]!);
    if (i < refs.length - 1) dict.set(PDFName.of("Next"), refs[i + 1]!);
    dict.set(PDFName.of("Dest"), ctx.obj([e.page.ref, "XYZ", null, null, null]));
    ctx.assign(refs[i]!, dict);
  });
  const root = ctx.obj({}) as PDFDict;
  root.set(PDFName.of("Type"), PDFName.of("Outlines"));
  root.set(PDFName.of("First"), refs[0]!);
  root.set(PDFName.of("Last"), refs[refs.length - 1]!);
  root.set(PDFName.of("Count"), PDFNumber.of(refs.length));
  ctx.assign(rootRef, root);
  out.catalog.set(PDFName.of("Outlines"), rootRef);
}
