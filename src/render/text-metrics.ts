// Approximate glyph advances for laying out typed text. The tablet's fonts are proprietary;
// Helvetica's advance widths (Adobe AFM, per 1000 em) scaled by 1.02 come within a few percent of
// the line widths in the rmc fork's reference PDFs (samples/expected; not device exports), which is
// all line wrapping and anchors need.

// Advances for U+0020..U+007E.
const REGULAR = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
  556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611,
  611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

const SCALE = 1.02 / 1000;

/** Advance of one code point in em (font size 1). */
export function charAdvance(cp: number, bold: boolean): number {
  const table = bold ? BOLD : REGULAR;
  if (cp >= 32 && cp < 127) return table[cp - 32]! * SCALE;
  if (cp === 9) return 4 * table[0]! * SCALE; // tab: four spaces
  if (cp < 32 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfeff) return 0;
  if (cp >= 0x1100 && isWide(cp)) return 1000 * SCALE; // CJK, emoji: full em
  return (bold ? 600 : 556) * SCALE; // Latin-1 and other scripts: an average letter
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Width of a string in units, at `size` units per em. */
export function textWidth(text: string, size: number, bold: boolean): number {
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
      cp = text.codePointAt(i) ?? cp;
      i++;
    }
    w += charAdvance(cp, bold);
  }
  return w * size;
}
