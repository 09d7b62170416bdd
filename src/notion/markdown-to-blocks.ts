// Markdown (OCR output, typed text) → Notion block objects. Pure: no I/O, no SDK. Tokenizing is
// marked's lexer; the mapping to blocks and every Notion size limit is ours:
// - rich text: ≤ 2,000 characters per text item (split, never across a surrogate pair) and
//   ≤ 100 items per rich-text array (the rest continues in following paragraph blocks);
// - headings #, ##, ### → heading_1..3 (deeper → heading_3), paragraphs, bulleted and numbered
//   lists with nesting, task items → to_do (checked), block quotes → quote, code → code,
//   rules → divider; bold, italic, strikethrough, inline code and links as annotations.
// Request-size rules (100 children per append, 2 nesting levels per request) are applied when
// appending (see planAppend), not here: blocks may nest arbitrarily deep.
import { Marked, type Token, type Tokens } from "marked";
import { boundNesting, boundedTokenizer } from "../render/markdown-bounds.ts";

export { boundNesting, boundedTokenizer };

let lexer: Marked | undefined; // built on first use, not when `serve` starts (issue 18)

/** marked's tokens for `src` with the bounded tokenizer (the same tokens, without the slow path). */
export function lexMarkdown(src: string): Token[] {
  return (lexer ??= new Marked({ gfm: true, tokenizer: boundedTokenizer })).lexer(src);
}

export const MAX_TEXT = 2000;
export const MAX_RICH_TEXT_ITEMS = 100;

export interface Annotations {
  bold?: boolean;
  italic?: boolean;
  strikethrough?: boolean;
  code?: boolean;
}

export interface RichText {
  type: "text";
  text: { content: string; link?: { url: string } };
  annotations?: Annotations;
}

export type BlockType = "paragraph" | "heading_1" | "heading_2" | "heading_3" | "bulleted_list_item" | "numbered_list_item" | "to_do" | "quote" | "code" | "divider";

export interface BlockBody {
  rich_text?: RichText[];
  checked?: boolean;
  language?: string;
  children?: Block[];
}

/** A Notion block request object: `{ object: "block", type, [type]: body }`. */
export interface Block {
  object: "block";
  type: BlockType;
  [body: string]: unknown;
}

export function bodyOf(b: Block): BlockBody {
  return (b[b.type] ?? {}) as BlockBody;
}

export function childrenOf(b: Block): Block[] {
  return bodyOf(b).children ?? [];
}

/** A copy of `b` without children. */
export function withoutChildren(b: Block): Block {
  const { children: _c, ...rest } = bodyOf(b);
  return { object: "block", type: b.type, [b.type]: rest };
}

export function withChildren(b: Block, children: Block[]): Block {
  const { children: _c, ...rest } = bodyOf(b);
  return { object: "block", type: b.type, [b.type]: children.length ? { ...rest, children } : rest };
}

function block(type: BlockType, body: BlockBody): Block {
  return { object: "block", type, [type]: body };
}

/** Split a string into pieces of at most `max` UTF-16 units, never inside a surrogate pair. */
export function splitText(s: string, max = MAX_TEXT): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    let end = Math.min(s.length, i + max);
    if (end < s.length && end > i + 1) {
      const c = s.charCodeAt(end - 1);
      if (c >= 0xd800 && c <= 0xdbff) end--;
    }
    out.push(s.slice(i, end));
    i = end;
  }
  return out;
}

function sameAnnotations(a: RichText, b: RichText): boolean {
  return JSON.stringify(a.annotations ?? {}) === JSON.stringify(b.annotations ?? {}) && (a.text.link?.url ?? null) === (b.text.link?.url ?? null);
}

/** Plain text with annotations → rich text items, merged where possible and split at 2,000. */
export function richText(segments: { text: string; annotations?: Annotations; link?: string }[]): RichText[] {
  const merged: RichText[] = [];
  for (const s of segments) {
    if (!s.text) continue;
    const ann = Object.fromEntries(Object.entries(s.annotations ?? {}).filter(([, v]) => v)) as Annotations;
    const item: RichText = { type: "text", text: { content: s.text, ...(s.link ? { link: { url: s.link } } : {}) }, ...(Object.keys(ann).length ? { annotations: ann } : {}) };
    const last = merged.at(-1);
    if (last && sameAnnotations(last, item)) last.text.content += s.text;
    else merged.push(item);
  }
  return merged.flatMap((r) => splitText(r.text.content).map((content) => ({ ...r, text: { ...r.text, content } })));
}

export function plain(text: string, annotations?: Annotations): RichText[] {
  return richText([{ text, ...(annotations ? { annotations } : {}) }]);
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);
}

function isHttpUrl(href: string): boolean {
  return /^https?:\/\//i.test(href) && href.length <= 2000;
}

/** Inline tokens → segments. */
function inline(tokens: Token[] | undefined, ann: Annotations = {}, link?: string): { text: string; annotations?: Annotations; link?: string }[] {
  const out: { text: string; annotations?: Annotations; link?: string }[] = [];
  // Inline <strong>/<em> tags (the Markdown export writes them where `*` markers would not read back,
  // e.g. emphasis inside a word) style what follows them until they close.
  const open = { strong: 0, em: 0 };
  for (const t of tokens ?? []) {
    const cur: Annotations = { ...ann, ...(open.strong > 0 ? { bold: true } : {}), ...(open.em > 0 ? { italic: true } : {}) };
    const seg = (text: string, a: Annotations = cur, l = link) => out.push({ text, annotations: a, ...(l ? { link: l } : {}) });
    const tag = t.type === "html" ? /^<(\/?)(strong|em)>$/i.exec(t.raw) : null;
    if (tag) {
      const name = tag[2]!.toLowerCase() as "strong" | "em";
      open[name] = Math.max(0, open[name] + (tag[1] ? -1 : 1));
      continue;
    }
    switch (t.type) {
      case "strong":
        out.push(...inline((t as Tokens.Strong).tokens, { ...cur, bold: true }, link));
        break;
      case "em":
        out.push(...inline((t as Tokens.Em).tokens, { ...cur, italic: true }, link));
        break;
      case "del":
        out.push(...inline((t as Tokens.Del).tokens, { ...cur, strikethrough: true }, link));
        break;
      case "codespan":
        seg(unescapeHtml((t as Tokens.Codespan).text), { ...cur, code: true });
        break;
      case "link": {
        const l = t as Tokens.Link;
        out.push(...inline(l.tokens, cur, isHttpUrl(l.href) ? l.href : link));
        break;
      }
      case "image":
        seg((t as Tokens.Image).text || "[image]");
        break;
      case "br":
        seg("\n");
        break;
      case "checkbox":
        break;
      case "text": {
        const tt = t as Tokens.Text;
        if (tt.tokens?.length) out.push(...inline(tt.tokens, cur, link));
        else seg(unescapeHtml(tt.text));
        break;
      }
      default:
        seg(unescapeHtml((t as { text?: string; raw: string }).text ?? t.raw));
    }
  }
  return out;
}

/**
 * A block of `type` with `rich` text; when the text has more than 100 items the remainder
 * continues in paragraph blocks after it (children stay with the first block).
 */
function textBlocks(type: BlockType, rich: RichText[], extra: BlockBody = {}, children: Block[] = []): Block[] {
  const first = rich.slice(0, MAX_RICH_TEXT_ITEMS);
  const out = [block(type, { rich_text: first, ...extra, ...(children.length ? { children } : {}) })];
  for (let i = MAX_RICH_TEXT_ITEMS; i < rich.length; i += MAX_RICH_TEXT_ITEMS) out.push(block("paragraph", { rich_text: rich.slice(i, i + MAX_RICH_TEXT_ITEMS) }));
  return out;
}

function listBlocks(list: Tokens.List): Block[] {
  const out: Block[] = [];
  for (const item of list.items) {
    const segs: ReturnType<typeof inline> = [];
    const children: Block[] = [];
    let first = true;
    for (const t of item.tokens) {
      if (t.type === "checkbox") continue;
      if (first && (t.type === "text" || t.type === "paragraph")) {
        segs.push(...inline((t as Tokens.Text).tokens ?? [{ type: "text", raw: (t as Tokens.Text).text, text: (t as Tokens.Text).text } as Tokens.Text]));
        first = false;
        continue;
      }
      first = false;
      children.push(...tokensToBlocks([t]));
    }
    const rich = richText(segs);
    if (item.task) out.push(...textBlocks("to_do", rich, { checked: !!item.checked }, children));
    else out.push(...textBlocks(list.ordered ? "numbered_list_item" : "bulleted_list_item", rich, {}, children));
  }
  return out;
}

function tokensToBlocks(tokens: Token[]): Block[] {
  const out: Block[] = [];
  for (const t of tokens) {
    switch (t.type) {
      case "space":
        break;
      case "heading": {
        const h = t as Tokens.Heading;
        const type = h.depth <= 1 ? "heading_1" : h.depth === 2 ? "heading_2" : "heading_3";
        out.push(...textBlocks(type, richText(inline(h.tokens))));
        break;
      }
      case "paragraph":
        out.push(...textBlocks("paragraph", richText(inline((t as Tokens.Paragraph).tokens))));
        break;
      case "text": {
        const tt = t as Tokens.Text;
        out.push(...textBlocks("paragraph", richText(tt.tokens ? inline(tt.tokens) : [{ text: tt.text }])));
        break;
      }
      case "list":
        out.push(...listBlocks(t as Tokens.List));
        break;
      case "blockquote":
        out.push(...quoteBlocks(tokensToBlocks((t as Tokens.Blockquote).tokens)));
        break;
      case "code":
        for (const part of chunkRich(plain((t as Tokens.Code).text))) out.push(block("code", { rich_text: part, language: "plain text" }));
        break;
      case "hr":
        out.push(block("divider", {}));
        break;
      case "table": {
        const tb = t as Tokens.Table;
        const rows = [tb.header, ...tb.rows].map((r) => r.map((c) => c.text).join(" | "));
        for (const r of rows) out.push(...textBlocks("paragraph", plain(r)));
        break;
      }
      default: {
        const raw = ((t as { text?: string }).text ?? t.raw).trim();
        if (raw) out.push(...textBlocks("paragraph", plain(raw)));
      }
    }
  }
  return out;
}

function chunkRich(rich: RichText[]): RichText[][] {
  const out: RichText[][] = [];
  for (let i = 0; i < rich.length; i += MAX_RICH_TEXT_ITEMS) out.push(rich.slice(i, i + MAX_RICH_TEXT_ITEMS));
  return out.length ? out : [[]];
}

/** The blocks of a quote: its first paragraph becomes the quote text, the rest its children. */
function quoteBlocks(inner: Block[]): Block[] {
  if (!inner.length) return [];
  const [head, ...rest] = inner;
  if (head!.type === "paragraph") return textBlocks("quote", bodyOf(head!).rich_text ?? [], {}, rest);
  return [block("quote", { rich_text: [], children: inner })];
}

/** Convert Markdown to Notion blocks (any nesting depth; see planAppend for request limits). */
export function markdownToBlocks(md: string): Block[] {
  const src = boundNesting(md.replace(/\r\n?/g, "\n"));
  if (!src.trim()) return [];
  return tokensToBlocks(lexMarkdown(src));
}

/** Highlighted passages → one quote block each. */
export function highlightBlocks(lines: string[]): Block[] {
  return lines.filter((l) => l.trim()).flatMap((l) => textBlocks("quote", plain(l.trim())));
}

export function headingBlock(text: string, level: 1 | 2 | 3 = 2): Block {
  return block(`heading_${level}`, { rich_text: plain(text) });
}

export function paragraphBlock(text: string, annotations?: Annotations): Block {
  return block("paragraph", { rich_text: plain(text, annotations) });
}

/** Number of blocks in a tree (for the ~1,000 blocks per request limit). */
export function countBlocks(blocks: Block[]): number {
  return blocks.reduce((n, b) => n + 1 + countBlocks(childrenOf(b)), 0);
}

/** Depth of a tree: a block without children is 1. */
export function depthOf(b: Block): number {
  const c = childrenOf(b);
  return 1 + (c.length ? Math.max(...c.map(depthOf)) : 0);
}

export const MAX_CHILDREN_PER_REQUEST = 100;
export const MAX_BLOCKS_PER_REQUEST = 1000;
/** Levels in one request: the appended blocks plus two levels of nesting. */
export const MAX_DEPTH_PER_REQUEST = 3;
/** Notion's cap on one request's body: "500KB overall" (taken as 500,000 bytes). */
export const MAX_REQUEST_BYTES = 500_000;
/** Bytes of JSON the children of one append may take (the rest of the body is `position`). */
export const MAX_CHILDREN_BYTES = MAX_REQUEST_BYTES - 2_000;

/** Bytes of a block as it travels in a request body (UTF-8 JSON). */
export function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v));
}

/**
 * A block whose own text is too large for one request (100 items of 2,000 characters of
 * multi-byte or escaped text reach ~1.2 MB) as several blocks: the first keeps its type, extras
 * and children, the text continues in paragraphs (code stays code) after it.
 */
export function splitOversized(b: Block, maxBytes = MAX_CHILDREN_BYTES): Block[] {
  const body = bodyOf(b);
  const rich = body.rich_text;
  if (!rich || rich.length < 2 || jsonBytes(withoutChildren(b)) <= maxBytes) return [b];
  const envelope = jsonBytes(withoutChildren(withRich(b, [])));
  const pieces: RichText[][] = [[]];
  let size = envelope;
  for (const r of rich) {
    const n = jsonBytes(r) + 1;
    if (pieces.at(-1)!.length && size + n > maxBytes) {
      pieces.push([]);
      size = envelope;
    }
    pieces.at(-1)!.push(r);
    size += n;
  }
  const rest = b.type === "code" ? "code" : "paragraph";
  return pieces.map((p, i) => (i === 0 ? withRich(b, p) : block(rest, { rich_text: p, ...(rest === "code" ? { language: body.language ?? "plain text" } : {}) })));
}

function withRich(b: Block, rich: RichText[]): Block {
  return { object: "block", type: b.type, [b.type]: { ...bodyOf(b), rich_text: rich } };
}

export interface AppendStep {
  /** Blocks to send in one request (each fits the depth and size limits). */
  blocks: Block[];
  /** For each sent block, children to append later to the id Notion returns for it. */
  deferred: (Block[] | null)[];
}

/**
 * Split blocks for appending: ≤ 100 per request, ≤ ~1,000 blocks and ≤ 500 KB of body per
 * request; blocks deeper than the request's nesting limit (or with more than 100 children at any
 * level, or too many bytes with them) are sent without their children, which are appended to the
 * new block's id in follow-up requests; a block too large by itself is split (splitOversized).
 */
export function planAppend(blocks: Block[], maxBytes = MAX_CHILDREN_BYTES): AppendStep[] {
  const steps: AppendStep[] = [];
  let cur: AppendStep = { blocks: [], deferred: [] };
  let size = 0;
  let bytes = 0;
  const fits = (b: Block, depth: number): boolean => {
    const c = childrenOf(b);
    if (!c.length) return true;
    if (depth >= MAX_DEPTH_PER_REQUEST || c.length > MAX_CHILDREN_PER_REQUEST) return false;
    return c.every((x) => fits(x, depth + 1));
  };
  const add = (send: Block, later: Block[] | null) => {
    const n = countBlocks([send]);
    const nb = jsonBytes(send) + 1;
    if (cur.blocks.length >= MAX_CHILDREN_PER_REQUEST || (cur.blocks.length && (size + n > MAX_BLOCKS_PER_REQUEST || bytes + nb > maxBytes))) {
      steps.push(cur);
      cur = { blocks: [], deferred: [] };
      size = 0;
      bytes = 0;
    }
    cur.blocks.push(send);
    cur.deferred.push(later);
    size += n;
    bytes += nb;
  };
  for (const b of blocks) {
    if (fits(b, 1) && countBlocks([b]) <= MAX_BLOCKS_PER_REQUEST && jsonBytes(b) <= maxBytes) {
      add(b, null);
      continue;
    }
    const pieces = splitOversized(withoutChildren(b), maxBytes);
    const later = childrenOf(b);
    pieces.forEach((p, i) => add(p, i === 0 && later.length ? later : null));
  }
  if (cur.blocks.length) steps.push(cur);
  return steps;
}
