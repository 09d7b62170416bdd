// Lays out the page's typed text (rm-format.md §5.8, §5.10): paragraph baselines, line wrapping,
// list markers, and the y of any character so anchored stroke groups can be placed.
//
// The spacing model was measured from the rmc fork's reference PDFs for Paper Pro pages
// (samples/expected/scrybble-rmc__*_expected_rmpp.pdf: that renderer's output, not device exports;
// their layout follows the tablet's closely), all in device units: first baseline of a heading is posY + 50.8; between
// paragraphs the next baseline is 69.5 below the previous one for body/bold text, 64.7 for
// checkboxes, 54.75 between bullet/number items (64.8 entering a list); 20.8 is added after a
// heading and ~20 after the last item of a list; lines inside a paragraph (soft breaks, wrapping)
// are 60 apart for body text and headings, 40 for bold text and list items. An anchor sits 0.4
// below its line's baseline. Fonts are approximated (text-metrics.ts), so wrapping is close to,
// not exactly, the tablet's.

import { ANCHOR_BOTTOM, ANCHOR_TOP, ParagraphStyle, type Paragraph, type TextDoc } from "../rm/model.ts";
import { charAdvance } from "./text-metrics.ts";

export type ParaKind = "heading" | "bold" | "plain" | "bullet" | "checkbox" | "number";

export interface StyleMetrics {
  kind: ParaKind;
  /** 1 or 2 for lists, else 1. */
  level: 1 | 2;
  checked: boolean;
  /** Font size in units (em). */
  size: number;
  /** Whole paragraph in bold. */
  bold: boolean;
  /**
   * The BOLD style (code 3; "medium" size on the Paper Pro): drawn in the bold face (SVG, PNG, PDF),
   * laid out with the regular advances (each run is stretched to its laid-out width).
   */
  medium: boolean;
  /** Serif face (headings). */
  serif: boolean;
  /** Distance between lines inside the paragraph. */
  lineStep: number;
  /** Text indent from the text box's left edge. */
  indent: number;
}

const S_BODY = 32.6; // 10.26 pt at 229 dpi
const S_BOLD = 35.2; // 11.06 pt
const S_HEAD = 63.6; // 19.99 pt

const BASE: Record<ParaKind, Omit<StyleMetrics, "level" | "checked" | "indent">> = {
  heading: { kind: "heading", size: S_HEAD, bold: false, medium: false, serif: true, lineStep: 60 },
  bold: { kind: "bold", size: S_BOLD, bold: false, medium: true, serif: false, lineStep: 40 },
  plain: { kind: "plain", size: S_BODY, bold: false, medium: false, serif: false, lineStep: 60 },
  bullet: { kind: "bullet", size: S_BODY, bold: false, medium: false, serif: false, lineStep: 40 },
  checkbox: { kind: "checkbox", size: S_BODY, bold: false, medium: false, serif: false, lineStep: 40 },
  number: { kind: "number", size: S_BODY, bold: false, medium: false, serif: false, lineStep: 40 },
};

/** List indents (text start) per kind and level, measured from the exports. */
const INDENT: Record<"bullet" | "checkbox" | "number", [number, number]> = {
  bullet: [38.2, 76.3],
  number: [38.2, 76.3],
  checkbox: [50.9, 89.1],
};

export function styleMetrics(style: number): StyleMetrics {
  const S = ParagraphStyle;
  const m = (kind: ParaKind, level: 1 | 2 = 1, checked = false): StyleMetrics => ({
    ...BASE[kind],
    level,
    checked,
    indent: kind === "bullet" || kind === "checkbox" || kind === "number" ? INDENT[kind][level - 1]! : 0,
  });
  switch (style) {
    case S.HEADING:
      return m("heading");
    case S.BOLD:
      return m("bold");
    case S.BULLET:
      return m("bullet", 1);
    case S.BULLET2:
      return m("bullet", 2);
    case S.CHECKBOX:
      return m("checkbox", 1);
    case S.CHECKBOX_CHECKED:
      return m("checkbox", 1, true);
    case S.CHECKBOX2:
      return m("checkbox", 2);
    case S.CHECKBOX2_CHECKED:
      return m("checkbox", 2, true);
    case S.NUMBERED:
      return m("number", 1);
    case S.NUMBERED2:
      return m("number", 2);
    default:
      return m("plain");
  }
}

function isList(k: ParaKind): boolean {
  return k === "bullet" || k === "checkbox" || k === "number";
}

/** Baseline of the first paragraph below the text box top. */
function firstBaseline(m: StyleMetrics): number {
  if (m.kind === "heading") return 50.8;
  if (m.kind === "plain") return 41;
  return 32;
}

/** Distance from the last baseline of `prev` to the first baseline of `cur`. */
function paragraphGap(prev: StyleMetrics, prevStyle: number, cur: StyleMetrics, curStyle: number): number {
  let gap: number;
  if (cur.kind === "heading") gap = 149;
  else if (cur.kind === "checkbox") gap = 64.7;
  else if (cur.kind === "bullet" || cur.kind === "number")
    gap = prev.kind === "bullet" || prev.kind === "number" ? 54.75 : 64.8;
  else gap = 69.5;
  if (prev.kind === "heading" && cur.kind !== "heading") gap += 20.8;
  if (isList(prev.kind) && !isList(cur.kind)) gap += 20;
  // BASIC (0) paragraphs sit a little further apart than PLAIN ones.
  if (curStyle === ParagraphStyle.BASIC) gap += 5;
  if (prevStyle === ParagraphStyle.BASIC) gap += 5;
  return gap;
}

export interface LaidRun {
  text: string;
  bold: boolean;
  italic: boolean;
  /** Left edge in page units. */
  x: number;
  width: number;
}

export interface LaidLine {
  baseline: number;
  /** Code-point offsets [start, end) of this line inside its paragraph's text. */
  start: number;
  end: number;
  runs: LaidRun[];
  /** Right edge of the text on this line. */
  right: number;
}

export interface LaidParagraph {
  index: number;
  style: number;
  metrics: StyleMetrics;
  /** Left edge of the paragraph's text. */
  x: number;
  lines: LaidLine[];
  /** 1-based item number for numbered lists. */
  number?: number;
  /** True when the paragraph has no visible characters. */
  empty: boolean;
}

export interface TextLayout {
  posX: number;
  posY: number;
  width: number;
  paragraphs: LaidParagraph[];
  /** Bounding box of everything drawn (text and markers), or null when nothing is drawn. */
  bounds: { x: number; y: number; w: number; h: number } | null;
}

const SOFT_BREAK = "\u2028";

interface Glyph {
  ch: string;
  bold: boolean;
  italic: boolean;
  adv: number;
}

function glyphsOf(p: Paragraph, m: StyleMetrics): Glyph[] {
  const out: Glyph[] = [];
  for (const span of p.spans) {
    const bold = m.bold || span.bold;
    for (const ch of span.text) {
      const adv = ch === SOFT_BREAK ? 0 : charAdvance(ch.codePointAt(0) ?? 32, bold) * m.size;
      out.push({ ch, bold, italic: span.italic, adv });
    }
  }
  return out;
}

/** Greedy word wrap; returns [start, end) offsets of each line (soft breaks end a line). */
function wrap(glyphs: Glyph[], maxWidth: number): Array<[number, number]> {
  const lines: Array<[number, number]> = [];
  let start = 0;
  let w = 0;
  let lastSpace = -1; // index of the last space on this line
  for (let i = 0; i < glyphs.length; i++) {
    const g = glyphs[i]!;
    if (g.ch === SOFT_BREAK) {
      lines.push([start, i]);
      start = i + 1;
      w = 0;
      lastSpace = -1;
      continue;
    }
    if (g.ch === " " || g.ch === "\t") {
      lastSpace = i;
      w += g.adv;
      continue; // trailing spaces never force a wrap
    }
    if (w + g.adv > maxWidth && i > start) {
      if (lastSpace >= start) {
        lines.push([start, lastSpace + 1]);
        start = lastSpace + 1;
      } else {
        lines.push([start, i]);
        start = i;
      }
      w = 0;
      for (let j = start; j < i; j++) w += glyphs[j]!.adv;
      lastSpace = -1;
    }
    w += g.adv;
  }
  lines.push([start, glyphs.length]);
  return lines;
}

function runsOf(glyphs: Glyph[], from: number, to: number, x0: number): { runs: LaidRun[]; right: number } {
  const runs: LaidRun[] = [];
  let x = x0;
  let cur: LaidRun | null = null;
  for (let i = from; i < to; i++) {
    const g = glyphs[i]!;
    if (g.ch === SOFT_BREAK) continue;
    if (!cur || cur.bold !== g.bold || cur.italic !== g.italic) {
      cur = { text: "", bold: g.bold, italic: g.italic, x, width: 0 };
      runs.push(cur);
    }
    cur.text += g.ch;
    cur.width += g.adv;
    x += g.adv;
  }
  return { runs: runs.filter((r) => r.text.length > 0), right: x };
}

/** Default text box when a page has anchored groups but no text (the tablet's defaults). */
export const DEFAULT_TEXT_BOX = { posX: -468, posY: 234, width: 936 } as const;

export function layoutText(text: TextDoc | undefined): TextLayout {
  const posX = finiteOr(text?.posX, DEFAULT_TEXT_BOX.posX);
  const posY = finiteOr(text?.posY, DEFAULT_TEXT_BOX.posY);
  const width = Math.max(50, Math.min(100_000, finiteOr(text?.width, DEFAULT_TEXT_BOX.width) || DEFAULT_TEXT_BOX.width));
  const paragraphs: LaidParagraph[] = [];
  const source = text?.paragraphs ?? [];
  let y = posY;
  let prev: { m: StyleMetrics; style: number } | null = null;
  let counters: [number, number] = [0, 0];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < source.length; i++) {
    const p = source[i]!;
    const m = styleMetrics(p.style);
    y = prev ? y + paragraphGap(prev.m, prev.style, m, p.style) : posY + firstBaseline(m);
    const glyphs = glyphsOf(p, m);
    const x = posX + m.indent;
    const ranges = wrap(glyphs, Math.max(10, width - m.indent));
    const lines: LaidLine[] = [];
    let empty = true;
    for (let k = 0; k < ranges.length; k++) {
      const [s, e] = ranges[k]!;
      if (k > 0) y += m.lineStep;
      const { runs, right } = runsOf(glyphs, s, e, x);
      if (runs.some((r) => r.text.trim() !== "")) empty = false;
      lines.push({ baseline: y, start: s, end: e, runs, right });
    }
    let number: number | undefined;
    if (m.kind === "number") {
      if (m.level === 1) {
        counters = [counters[0] + 1, 0];
        number = counters[0];
      } else {
        counters[1]++;
        number = counters[1];
      }
    } else if (m.kind !== "bullet" && m.kind !== "checkbox") {
      counters = [0, 0];
    }
    const laid: LaidParagraph = { index: i, style: p.style, metrics: m, x, lines, empty };
    if (number !== undefined) laid.number = number;
    paragraphs.push(laid);
    const drawsMarker = isList(m.kind);
    if (!empty || drawsMarker) {
      const first = lines[0]!;
      const lastLine = lines[lines.length - 1]!;
      const left = drawsMarker ? posX : x;
      let right = left;
      for (const l of lines) right = Math.max(right, l.right);
      minX = Math.min(minX, left);
      maxX = Math.max(maxX, right);
      minY = Math.min(minY, first.baseline - m.size);
      maxY = Math.max(maxY, lastLine.baseline + m.size * 0.3);
    }
    prev = { m, style: p.style };
  }
  const bounds = minX <= maxX ? { x: minX, y: minY, w: maxX - minX, h: maxY - minY } : null;
  return { posX, posY, width, paragraphs, bounds };
}

function finiteOr(v: number | undefined, d: number): number {
  return typeof v === "number" && Number.isFinite(v) ? v : d;
}

/** How far below a line's baseline an anchored group's origin sits. */
const ANCHOR_DY = 0.4;
/** Extra space below the last line when the text ends with a list. */
const LIST_END = 20;

/** Resolves anchor ids to page y (and, for type-1 anchors at x = 0, to the character's x). */
export class AnchorResolver {
  constructor(
    private readonly layout: TextLayout,
    private readonly text: TextDoc | undefined,
  ) {}

  private topY(): number {
    const first = this.layout.paragraphs[0]?.lines[0];
    return (first ? first.baseline : this.layout.posY + firstBaseline(styleMetrics(ParagraphStyle.PLAIN))) + ANCHOR_DY;
  }

  private bottomY(): number {
    const paras = this.layout.paragraphs;
    for (let i = paras.length - 1; i >= 0; i--) {
      const p = paras[i]!;
      if (p.empty && !isList(p.metrics.kind)) continue;
      const last = p.lines[p.lines.length - 1]!;
      return last.baseline + ANCHOR_DY + (isList(p.metrics.kind) ? LIST_END : 0);
    }
    return this.topY();
  }

  private locate(id: string): { para: LaidParagraph; line: LaidLine; offset: number } | null {
    const pi = this.text?.anchors.get(id);
    if (pi === undefined) return null;
    const para = this.layout.paragraphs[Math.min(pi, this.layout.paragraphs.length - 1)];
    if (!para) return null;
    if (para.lines.length === 1) return { para, line: para.lines[0]!, offset: this.offset(id) };
    const off = this.offset(id);
    let line = para.lines[0]!;
    for (const l of para.lines) if (l.start <= off) line = l;
    return { para, line, offset: off };
  }

  private offset(id: string): number {
    if (!this.text) return 0;
    return this.text?.anchorOffsets.get(id) ?? 0;
  }

  /** y of the line holding `id`; special top/bottom ids resolve to the first/last line. */
  y(id: string): number {
    if (id === ANCHOR_TOP) return this.topY();
    if (id === ANCHOR_BOTTOM) return this.bottomY();
    const hit = this.locate(id);
    if (!hit) return this.bottomY();
    return hit.line.baseline + ANCHOR_DY;
  }

  /** x of the character `id` (left edge), or null when unknown. */
  x(id: string): number | null {
    const hit = this.locate(id);
    if (!hit) return null;
    let x = hit.para.x;
    let k = hit.line.start;
    for (const r of hit.line.runs) {
      for (const ch of r.text) {
        if (k >= hit.offset) return x;
        x += charAdvance(ch.codePointAt(0) ?? 32, r.bold) * hit.para.metrics.size;
        k++;
      }
    }
    return x;
  }
}
