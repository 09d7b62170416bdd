// Fonts for typed text in PDFs: the DejaVu faces bundled in fonts/ (font-files.ts; compiled into
// the executable, so the same on every machine). Each face used is embedded as a subset (TrueType,
// ttf.ts) with a ToUnicode map, so every viewer shows the same glyphs and the text stays selectable
// and searchable. Only when a face cannot be read (or `setPdfFontFiles` gives none) does the PDF
// fall back to the standard (non-embedded) Helvetica/Times; with only the upright faces, italics
// are the upright face slanted.

import { type PDFDocument, type PDFFont, type PDFRef, PDFString, StandardFonts } from "pdf-lib";
import { FONT_NAMES, type FontFace, readFontFile } from "./font-files.ts";
import { encodableText, encodableWith } from "./pdf-text.ts";
import { parseTtf, type Ttf } from "./ttf.ts";

export type { FontFace } from "./font-files.ts";

/** What the content-stream writer needs from a font. */
export interface TextFont {
  /** The text with characters the font cannot show replaced (look-alikes, else "?"). */
  encodable(text: string): string;
  /** Width of `text` (already encodable) at `size`. */
  width(text: string, size: number): number;
  /** The Tj operand for `text` (already encodable). */
  encode(text: string): string;
  ref: PDFRef;
  /** Horizontal shear for the text matrix: an upright face standing in for a missing italic. */
  slant?: number;
}

/** Shear of a synthetic oblique (about 11°), used where only the upright face is available. */
export const SYNTHETIC_SLANT = 0.2;

const STANDARD: Record<FontFace, StandardFonts> = {
  sans: StandardFonts.Helvetica,
  "sans-bold": StandardFonts.HelveticaBold,
  "sans-italic": StandardFonts.HelveticaOblique,
  "sans-bold-italic": StandardFonts.HelveticaBoldOblique,
  serif: StandardFonts.TimesRoman,
  "serif-bold": StandardFonts.TimesRomanBold,
  "serif-italic": StandardFonts.TimesRomanItalic,
  "serif-bold-italic": StandardFonts.TimesRomanBoldItalic,
};

type Loaded = { ttf: Ttf; name: string } | null;
let loaded: Promise<Map<FontFace, Loaded>> | null = null;
let override: Map<FontFace, Uint8Array | null> | null = null;

/** Use these font files (or none: standard fonts) instead of the bundled DejaVu fonts (tests). */
export function setPdfFontFiles(files: Partial<Record<FontFace, Uint8Array | null>> | null): void {
  override = files ? new Map(Object.entries(files) as Array<[FontFace, Uint8Array | null]>) : null;
  loaded = null;
}

async function readFace(face: FontFace): Promise<Uint8Array | null> {
  if (override) return override.get(face) ?? null;
  return readFontFile(face);
}

/** The fonts to embed, read once (faces without a readable file are null: standard font). */
export function pdfFontFiles(): Promise<Map<FontFace, Loaded>> {
  loaded ??= (async () => {
    const out = new Map<FontFace, Loaded>();
    for (const face of Object.keys(FONT_NAMES) as FontFace[]) {
      const bytes = await readFace(face);
      let l: Loaded = null;
      if (bytes) {
        try {
          l = { ttf: parseTtf(bytes), name: FONT_NAMES[face] };
        } catch {
          l = null;
        }
      }
      out.set(face, l);
    }
    return out;
  })();
  return loaded;
}

/** Fonts of one output document: embedded subsets where available, written by `finish()`. */
export class DocumentFonts {
  private faces = new Map<FontFace, TextFont & { finish?: () => void }>();
  constructor(
    private readonly doc: PDFDocument,
    private readonly files: Map<FontFace, Loaded>,
  ) {}

  get(face: FontFace): TextFont {
    let f = this.faces.get(face);
    if (!f) {
      const l = this.files.get(face);
      // A face without a file (only possible through setPdfFontFiles): slant the upright face.
      const upright = face.endsWith("-italic") ? (face.replace(/-italic$/, "") as FontFace) : null;
      if (l) f = new EmbeddedFont(this.doc, l.ttf, l.name);
      else if (upright && upright !== face && this.files.get(upright)) {
        const base = this.get(upright);
        f = { encodable: (t) => base.encodable(t), width: (t, z) => base.width(t, z), encode: (t) => base.encode(t), ref: base.ref, slant: SYNTHETIC_SLANT };
      } else f = standardFont(this.doc.embedStandardFont(STANDARD[face]));
      this.faces.set(face, f);
    }
    return f;
  }

  /** Write the embedded subsets (call once, before saving). */
  finish(): void {
    for (const f of this.faces.values()) f.finish?.();
  }
}

function standardFont(font: PDFFont): TextFont {
  return {
    encodable: (text) => encodableText(font, text),
    width: (text, size) => font.widthOfTextAtSize(text, size),
    encode: (text) => font.encodeText(text).toString(),
    ref: font.ref,
  };
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0").toUpperCase();
}

function utf16Hex(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += hex4(s.charCodeAt(i));
  return out;
}

class EmbeddedFont implements TextFont {
  readonly ref: PDFRef;
  private gids = new Map<number, number>();
  /** Glyph id → the text it stands for (ToUnicode). */
  private used = new Map<number, string>();
  private done = false;

  constructor(
    private readonly doc: PDFDocument,
    private readonly ttf: Ttf,
    private readonly name: string,
  ) {
    this.ref = doc.context.nextRef();
  }

  private gid(cp: number): number {
    let g = this.gids.get(cp);
    if (g === undefined) {
      g = this.ttf.glyph(cp);
      this.gids.set(cp, g);
    }
    return g;
  }

  encodable(text: string): string {
    return encodableWith((cp) => this.gid(cp) > 0, text);
  }

  width(text: string, size: number): number {
    let w = 0;
    for (const ch of text) w += this.ttf.advance(this.gid(ch.codePointAt(0)!));
    return (w * size) / this.ttf.unitsPerEm;
  }

  encode(text: string): string {
    let out = "<";
    for (const ch of text) {
      const g = this.gid(ch.codePointAt(0)!);
      if (!this.used.has(g)) this.used.set(g, ch);
      out += hex4(g);
    }
    return `${out}>`;
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    const ctx = this.doc.context;
    const gids = [...this.used.keys()].sort((a, b) => a - b);
    const program = this.ttf.subset(gids);
    // Subset tag: six capitals from the glyph set and the face (PDF 32000 §9.6.4).
    let h = 2166136261;
    for (const g of gids) h = Math.imul(h ^ g, 16777619) >>> 0;
    for (const c of this.name) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    let tag = "";
    for (let i = 0; i < 6; i++) {
      tag += String.fromCharCode(65 + (h % 26));
      h = Math.floor(h / 26) + (i + 1) * 7919;
    }
    const base = `${tag}+${this.name}`;
    const k = 1000 / this.ttf.unitsPerEm;
    const file = ctx.register(ctx.flateStream(program, { Length1: program.length }));
    const italic = this.ttf.italicAngle !== 0;
    const [x0, y0, x1, y1] = this.ttf.bbox;
    const descriptor = ctx.register(
      ctx.obj({
        Type: "FontDescriptor",
        FontName: base,
        Flags: 32 | (italic ? 64 : 0),
        FontBBox: [Math.round(x0 * k), Math.round(y0 * k), Math.round(x1 * k), Math.round(y1 * k)],
        ItalicAngle: this.ttf.italicAngle,
        Ascent: Math.round(this.ttf.ascent * k),
        Descent: Math.round(this.ttf.descent * k),
        CapHeight: Math.round(this.ttf.ascent * k * 0.75),
        StemV: 80,
        FontFile2: file,
      }),
    );
    const widths: Array<number | number[]> = [];
    for (const g of gids) widths.push(g, [Math.round(this.ttf.advance(g) * k)]);
    const cid = ctx.register(
      ctx.obj({
        Type: "Font",
        Subtype: "CIDFontType2",
        BaseFont: base,
        CIDSystemInfo: { Registry: PDFString.of("Adobe"), Ordering: PDFString.of("Identity"), Supplement: 0 },
        FontDescriptor: descriptor,
        CIDToGIDMap: "Identity",
        W: widths,
      } as never),
    );
    const cmap = toUnicode(gids.map((g) => [g, this.used.get(g)!] as const));
    const tu = ctx.register(ctx.flateStream(cmap));
    ctx.assign(
      this.ref,
      ctx.obj({ Type: "Font", Subtype: "Type0", BaseFont: base, Encoding: "Identity-H", DescendantFonts: [cid], ToUnicode: tu }),
    );
  }
}

function toUnicode(pairs: ReadonlyArray<readonly [number, string]>): string {
  const lines = [
    "/CIDInit /ProcSet findresource begin",
    "12 dict begin",
    "begincmap",
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
    "/CMapName /Adobe-Identity-UCS def",
    "/CMapType 2 def",
    "1 begincodespacerange",
    "<0000> <FFFF>",
    "endcodespacerange",
  ];
  for (let i = 0; i < pairs.length; i += 100) {
    const chunk = pairs.slice(i, i + 100);
    lines.push(`${chunk.length} beginbfchar`);
    for (const [g, s] of chunk) lines.push(`<${hex4(g)}> <${utf16Hex(s)}>`);
    lines.push("endbfchar");
  }
  lines.push("endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end");
  return lines.join("\n");
}
