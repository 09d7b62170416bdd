// Text for PDF fonts: standard fonts only encode WinAnsi, embedded ones what their cmap holds, so anything else is substituted
// (accents decomposed, typographic look-alikes mapped, the rest replaced by "?") instead of
// making pdf-lib throw on a hostile or just non-Latin string.

import type { PDFFont } from "pdf-lib";

const charsets = new WeakMap<PDFFont, Set<number>>();

const LOOKALIKE: Record<string, string> = {
  "\u2028": " ",
  "\u2029": " ",
  "\t": " ",
  "\u00a0": " ",
  "\u2010": "-",
  "\u2011": "-",
  "\u2012": "-",
  "\u2212": "-",
  "\u2043": "-",
  "\u2610": "[ ]",
  "\u2611": "[x]",
  "\u2612": "[x]",
  "\u2713": "v",
  "\u2714": "v",
};

function charset(font: PDFFont): Set<number> {
  let s = charsets.get(font);
  if (!s) {
    s = new Set(font.getCharacterSet());
    charsets.set(font, s);
  }
  return s;
}

/** `text` with every character the font cannot encode replaced. */
export function encodableText(font: PDFFont, text: string): string {
  const ok = charset(font);
  return encodableWith((cp) => ok.has(cp), text);
}

/** `text` with every character for which `has` is false replaced (look-alike, base letter, "?"). */
export function encodableWith(has: (cp: number) => boolean, text: string): string {
  const ok = { has };
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 63;
    if (ok.has(cp)) {
      out += ch;
      continue;
    }
    const alike = LOOKALIKE[ch];
    if (alike !== undefined) {
      out += alike;
      continue;
    }
    if (cp < 32 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfeff) continue;
    const base = ch.normalize("NFKD").replace(/\p{M}/gu, "");
    if (base && [...base].every((c) => ok.has(c.codePointAt(0) ?? -1))) out += base;
    else out += "?";
  }
  return out;
}
