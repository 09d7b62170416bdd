// Typed text and highlights → Markdown: paragraph styles become headings, bold lines, bullets,
// numbered items and checkboxes; inline bold/italic are kept; highlighted passages become
// blockquotes. Text from the file is escaped so it cannot inject Markdown structure. A page's OCR
// Markdown (handwriting, already Markdown) can be given and is placed after its typed text.

import { type Group, type Highlight, type Page, type Paragraph, ParagraphStyle, type TextSpan } from "../rm/model.ts";
import { LIMITS } from "../rm/limits.ts";
import { highlightColor } from "./colors.ts";

export interface MarkdownInput {
  title: string;
  /** The document's tags (.content `tags`, .metadata `tags`): a line of `#tags` under the title. */
  tags?: string[];
  /** `ocr`: the page's handwriting as Markdown (from the OCR engine), inserted as is. */
  pages: Array<{ page: Page | null; highlights?: Highlight[]; ocr?: string | null; /** The page's tags (.content `pageTags`). */ tags?: string[] }>;
}

/** Escape characters that would change meaning inside a line. */
export function escapeInline(text: string): string {
  return text.replace(/[\\`*_[\]<>|~]/g, "\\$&").replace(/&(?=#?\w+;)/g, "&amp;");
}

/**
 * A wiki link as Obsidian and Logseq users type it (`[[Note]]`, `[[Note|alias]]`): kept as written.
 * Only targets that cannot form other Markdown (no brackets, markup, code, emphasis or escapes; `_`
 * only inside a word, where it cannot start or end emphasis) qualify; CommonMark reads `[[x]]` as the literal text (no link definition can match it).
 */
const WIKI_LINK = /\[\[(?:[^[\]\n<>`*~\\_]|(?<=[\p{L}\p{N}])_(?=[\p{L}\p{N}]))+\]\](?!\()/gu;

/** escapeInline, except that wiki links stay as typed. */
export function escapeTyped(text: string): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(WIKI_LINK)) {
    out += escapeInline(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeInline(text.slice(last));
}

/**
 * Escape what would turn the start of a line into a block (heading, list, quote, rule, fence). A
 * `#tag` is not a heading (an ATX heading needs a space after its `#`s) and stays as typed.
 */
function escapeLineStart(line: string): string {
  return line
    .replace(/^(\s*)(#{1,6}(?=\s|$)|[>+=-])/, "$1\\$2")
    .replace(/^(\s*)(\d{1,9})([.)])(?=\s|$)/, "$1$2\\$3");
}

function cleanText(text: string): string {
  // Soft line breaks are handled by the caller; other control characters never belong in Markdown.
  return text.replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, "").replace(/\t/g, " ");
}

/** A run of text with one style, or raw text (whitespace, line breaks) between runs. */
interface Piece {
  text: string;
  bold: boolean;
  italic: boolean;
  raw: boolean;
}

const PUNCT = /[\p{P}\p{S}]/u;

/**
 * May a `*` delimiter run sit next to `c` (the character outside it) and still open/close emphasis
 * by CommonMark's flanking rules? Yes at a line edge, beside whitespace, or beside punctuation that
 * is not itself a delimiter (the run would merge with it). Inside a word, or beside another run's
 * markers, it may not (`**bol*****d ita****lic*` is literal asterisks).
 */
function markerFits(c: string): boolean {
  return c === "" || /\s/.test(c) || (PUNCT.test(c) && c !== "*" && c !== "_");
}

/**
 * Inline Markdown for spans, with whitespace kept outside the emphasis markers. Emphasis is `*`
 * markers where CommonMark reads them back as the same styles, else inline `<strong>`/`<em>` (valid
 * CommonMark, read back the same by every CommonMark parser): emphasis inside a word, or runs of
 * different styles touching each other.
 */
function inline(spans: TextSpan[]): string {
  const pieces: Piece[] = [];
  const push = (p: Piece) => {
    if (!p.text) return;
    const last = pieces[pieces.length - 1];
    if (last && !last.raw && !p.raw && last.bold === p.bold && last.italic === p.italic) last.text += p.text;
    else if (last && last.raw && p.raw) last.text += p.text;
    else pieces.push(p);
  };
  for (const s of spans) {
    const bold = s.bold;
    cleanText(s.text)
      .split("\u2028")
      .forEach((part, i) => {
        if (i > 0) push({ text: "  \n", bold: false, italic: false, raw: true });
        const [, lead = "", core = "", trail = ""] = /^(\s*)([\s\S]*?)(\s*)$/.exec(part)!;
        push({ text: lead, bold: false, italic: false, raw: true });
        push({ text: core, bold, italic: s.italic, raw: false });
        push({ text: trail, bold: false, italic: false, raw: true });
      });
  }
  let out = "";
  pieces.forEach((p, i) => {
    const text = p.raw ? p.text : escapeTyped(p.text);
    if (p.raw || (!p.bold && !p.italic)) {
      out += text;
      return;
    }
    const next = pieces[i + 1];
    // A styled neighbour right after: its opening marker would merge with our closing one.
    const after = next ? (next.raw || (!next.bold && !next.italic) ? (next.raw ? next.text : escapeTyped(next.text)).charAt(0) : "*") : "";
    if (markerFits(out.charAt(out.length - 1)) && markerFits(after)) {
      const mark = p.bold && p.italic ? "***" : p.bold ? "**" : "*";
      out += `${mark}${text}${mark}`;
    } else {
      const open = `${p.bold ? "<strong>" : ""}${p.italic ? "<em>" : ""}`;
      const close = `${p.italic ? "</em>" : ""}${p.bold ? "</strong>" : ""}`;
      out += `${open}${text}${close}`;
    }
  });
  return out;
}

function paragraphText(p: Paragraph): string {
  return inline(p.spans)
    .split("\n")
    .map((l, i) => (i === 0 ? l : l.trimStart()))
    .join("\n")
    .trim();
}

function isListStyle(style: number): boolean {
  return style >= ParagraphStyle.BULLET && style <= ParagraphStyle.NUMBERED2;
}

/** Markdown lines for one page's typed text. */
export function textToMarkdown(page: Page, headingPrefix = "#"): string[] {
  const S = ParagraphStyle;
  const blocks: string[] = [];
  let list: string[] = [];
  const counters = [0, 0];
  const flushList = () => {
    if (list.length) blocks.push(list.join("\n"));
    list = [];
  };
  for (const p of page.text?.paragraphs ?? []) {
    // BOLD (code 3) is the tablet's "medium" size, not emphasis: a plain paragraph whose own
    // inline bold/italic is kept (issue 12 item 10).
    const raw = paragraphText(p);
    if (!isListStyle(p.style)) counters[0] = counters[1] = 0;
    if (!raw) {
      if (!isListStyle(p.style)) flushList();
      continue;
    }
    // Item text must not start a nested block ("- - x" would be a nested list).
    const cont = (indent: string) =>
      raw
        .split("\n")
        .map((l) => escapeLineStart(l.trimStart()))
        .join(`\n${indent}`);
    switch (p.style) {
      case S.HEADING:
        flushList();
        blocks.push(`${headingPrefix} ${escapeLineStart(raw.replace(/\s*\n\s*/g, " ")).replace(/#+$/, (m) => m.replace(/#/g, "\\#"))}`);
        break;
      case S.BOLD:
        flushList();
        blocks.push(
          raw
            .split("\n")
            .map((l) => l.replace(/ +$/, ""))
            .filter((l) => l.trim())
            .map((l) => escapeLineStart(l.trim()))
            .join("  \n"),
        );
        break;
      case S.BULLET:
        counters[1] = 0;
        list.push(`- ${cont("  ")}`);
        break;
      case S.BULLET2:
        list.push(`  - ${cont("    ")}`);
        break;
      case S.CHECKBOX:
      case S.CHECKBOX_CHECKED:
        counters[1] = 0;
        list.push(`- [${p.style === S.CHECKBOX_CHECKED ? "x" : " "}] ${cont("  ")}`);
        break;
      case S.CHECKBOX2:
      case S.CHECKBOX2_CHECKED:
        list.push(`  - [${p.style === S.CHECKBOX2_CHECKED ? "x" : " "}] ${cont("    ")}`);
        break;
      case S.NUMBERED:
        counters[0]!++;
        counters[1] = 0;
        list.push(`${counters[0]}. ${cont("   ")}`);
        break;
      case S.NUMBERED2:
        counters[1]!++;
        list.push(`   ${counters[1]}. ${cont("      ")}`);
        break;
      default:
        flushList();
        blocks.push(
          raw
            .split("\n")
            .map(escapeLineStart)
            .join("\n"),
        );
    }
  }
  flushList();
  return blocks;
}

/** Glyph-range highlights stored in the page (any layer/group), in drawing order. */
function pageHighlights(page: Page): Highlight[] {
  const out: Highlight[] = [];
  const visit = (g: Group, depth: number) => {
    if (depth > LIMITS.maxGroupDepth) return;
    for (const c of g.children) {
      if (c.kind === "highlight") out.push(c);
      else if (c.kind === "group") visit(c, depth + 1);
    }
  };
  for (const l of page.layers) visit(l, 0);
  return out;
}

function top(h: Highlight): number {
  const r = h.rects[0];
  return r && Number.isFinite(r.y) ? r.y : 0;
}

/** A highlighted passage and the name of its colour as the tablet shows it. */
export interface Passage {
  text: string;
  color: string;
}

/** Named highlight colours (palette ids 3/4/5/8 and the Paper Pro's six ARGB highlighter colours). */
const NAMED: ReadonlyArray<readonly [string, number, number, number]> = [
  ["yellow", 255, 237, 117],
  ["yellow", 251, 247, 25],
  ["green", 172, 255, 133],
  ["green", 0, 255, 0],
  ["pink", 242, 158, 255],
  ["pink", 255, 192, 203],
  ["orange", 255, 195, 140],
  ["blue", 190, 234, 254],
  ["grey", 199, 199, 198],
  ["grey", 125, 125, 125],
];

/** The colour's name: the nearest named highlight colour. */
export function highlightColorName(h: Pick<Highlight, "color" | "argb">): string {
  const c = highlightColor(h.color, h.argb);
  let best = "yellow";
  let dist = Infinity;
  for (const [name, r, g, b] of NAMED) {
    const d = (c.r - r) ** 2 + (c.g - g) ** 2 + (c.b - b) ** 2;
    if (d < dist) {
      dist = d;
      best = name;
    }
  }
  return best;
}

/**
 * Highlighted passages, one per highlight as the tablet shows it: fragments in page order (by
 * character position, else by place on the page), merged only when the next one continues the
 * previous in the same colour (the tablet stores a highlight over several lines as one fragment
 * per line: adjacent character range, or its first rectangle on the next line). Highlights of
 * different colours stay separate passages, each with its colour; where character ranges overlap,
 * the characters already quoted are not repeated.
 */
export function highlightPassages(highlights: Highlight[]): Passage[] {
  const items = highlights.filter((h) => h.text.trim());
  const byStart = items.every((h) => typeof h.start === "number");
  items.sort((a, b) => (byStart ? a.start! - b.start! : top(a) - top(b) || (a.rects[0]?.x ?? 0) - (b.rects[0]?.x ?? 0)));
  const passages: Passage[] = [];
  let prev: Highlight | null = null;
  let covered = -Infinity; // end of the character range quoted so far
  for (const h of items) {
    let chars = [...h.text];
    if (typeof h.start === "number" && h.start < covered) chars = chars.slice(Math.min(chars.length, covered - h.start));
    if (typeof h.start === "number") covered = Math.max(covered, h.start + (h.length ?? [...h.text].length));
    const text = chars.join("").replace(/\s+/g, " ").trim();
    if (!text) continue;
    const color = highlightColorName(h);
    const last = passages[passages.length - 1];
    if (prev && last && last.color === color && continues(prev, h)) last.text += ` ${text}`;
    else passages.push({ text, color });
    prev = h;
  }
  return passages;
}

function continues(a: Highlight, b: Highlight): boolean {
  if (typeof a.start === "number" && typeof b.start === "number") {
    const end = a.start + (a.length ?? a.text.length);
    if (b.start >= a.start && b.start - end <= 3) return true;
  }
  const last = a.rects[a.rects.length - 1];
  const first = b.rects[0];
  if (!last || !first) return false;
  const lineH = Math.max(1, last.h, first.h);
  const gap = first.y - (last.y + last.h);
  return gap > -lineH * 0.5 && gap < lineH * 0.8 && first.y > last.y;
}

/** A passage as a blockquote with its colour after it: `> text *(yellow)*`. */
function quote(p: Passage): string {
  return `> ${escapeLineStart(escapeInline(p.text))} *(${p.color})*`;
}

/**
 * Tags as Obsidian and Logseq read them: `#tag`, or `#[[two words]]` for a tag with spaces or other
 * characters a bare hashtag cannot hold. A tag that cannot be written safely either way is escaped.
 */
export function tagMarkdown(name: string): string | null {
  const t = cleanText(name).replace(/\s+/g, " ").trim().replace(/^#+/, "");
  if (!t) return null;
  if (/^[\p{L}\p{N}_/-]+$/u.test(t) && !/^\d+$/.test(t)) return `#${t}`;
  if (/^[^[\]\n<>`*~\\]+$/.test(t)) return `#[[${t}]]`;
  return `\\#${escapeInline(t)}`;
}

function tagLine(tags: string[] | undefined): string | null {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of tags ?? []) {
    const md = tagMarkdown(t);
    if (!md || seen.has(md.toLowerCase())) continue;
    seen.add(md.toLowerCase());
    out.push(md);
  }
  return out.length ? `Tags: ${out.join(" ")}` : null;
}

export function renderMarkdown(doc: MarkdownInput): string {
  const blocks: string[] = [];
  const title = doc.title.replace(/\s+/g, " ").trim();
  if (title) blocks.push(`# ${escapeInline(title)}`);
  const docTags = tagLine(doc.tags);
  if (docTags) blocks.push(docTags);
  const headingPrefix = title ? "##" : "#";
  const multi = doc.pages.length > 1;
  doc.pages.forEach((entry, i) => {
    const section: string[] = [];
    const pageTags = tagLine(entry.tags);
    if (pageTags) section.push(pageTags);
    if (entry.page) section.push(...textToMarkdown(entry.page, headingPrefix));
    const ocr = entry.ocr?.replace(/\r\n?/g, "\n").trim();
    if (ocr) section.push(ocr);
    const hl = [...(entry.page ? pageHighlights(entry.page) : []), ...(entry.highlights ?? [])];
    for (const passage of highlightPassages(hl)) section.push(quote(passage));
    if (multi) {
      if (i > 0) blocks.push("---");
      blocks.push(`<!-- page ${i + 1} -->`);
    }
    blocks.push(...section);
  });
  return blocks.length ? `${blocks.join("\n\n")}\n` : "";
}
