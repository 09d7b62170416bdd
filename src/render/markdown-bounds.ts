// Bounds for feeding untrusted Markdown (OCR output, typed text from files) to marked: its block
// tokenizer is super-linear on a few shapes (deep list nesting, long list items, setext headings
// scanned to the end of the input). Used by the Notion converter and the dashboard's renderer.
// Pure: no I/O.
import { Tokenizer } from "marked";

/**
 * marked with one tokenizer bounded: the setext-heading rule (`text` over a `---`/`===` line) is
 * tried at every block start and scans to the end of the input each time, which makes a long list
 * item cost seconds (200 lines of 40 characters: 2.3 s). It can only match up to the first
 * underline-like line before a blank line, so it is only tried there, on that slice.
 */
const UNDERLINE = /\n {0,3}(?:=+|-+)[ \t]*(?:\n|$)/;
const BLANK_LINE = /\n[^\S\n]*\n/;
/** Tokenizer overrides for any Marked instance fed untrusted Markdown (`new Marked({ tokenizer })`). */
export const boundedTokenizer = {
  lheading(this: Tokenizer, src: string) {
    const under = UNDERLINE.exec(src);
    if (!under) return undefined;
    const blank = BLANK_LINE.exec(src);
    if (blank && blank.index < under.index) return undefined;
    let end = under.index + under[0].length;
    while (src[end] === "\n") end++; // what the rule's trailing `\n+` would take
    return Tokenizer.prototype.lheading.call(this, src.slice(0, end));
  },
};

/** Columns of container prefix (indentation, list markers, `>`) kept per line; see boundNesting. */
export const MAX_PREFIX_COLUMNS = 64;
const PREFIX = /^(?:[ \t]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])|>)+/;

/**
 * Bound how deeply a line can nest: marked's list tokenizer recurses once per level and is
 * super-linear in depth, so a line like `- - - - … x` (a few hundred markers) overflows the stack
 * and deep indentation takes seconds. Any line whose container prefix is wider than
 * MAX_PREFIX_COLUMNS (a tab counts 4) keeps the first columns; the first marker beyond them is
 * escaped, so the rest is text. No word is dropped; ordinary notes (≤ ~30 levels) are unchanged.
 * Code fences are not exempt on purpose: a line this deep inside one only loses indentation (and
 * gains a backslash), while trusting our idea of where a fence ends would reopen the overflow.
 */
export function boundNesting(src: string): string {
  if (src.length < MAX_PREFIX_COLUMNS) return src;
  return src.replace(/^.*$/gm, (line) => {
    const p = PREFIX.exec(line);
    if (!p) return line;
    let col = 0;
    let cut = 0;
    while (cut < p[0].length && col < MAX_PREFIX_COLUMNS) col += p[0][cut++] === "\t" ? 4 : 1;
    if (cut >= p[0].length) return line;
    const tail = line.slice(cut).replace(/^[ \t]+/, " ").replace(/^( ?\d*)([-*+>.)])/, "$1\\$2");
    return line.slice(0, cut) + tail;
  });
}
