// Ink colours: the device palette (rm-format.md §6.2) and the ARGB field written by fw ≥ 3.14.
// Values for ids 0–8 and 10–13 match the colours in the rmc fork's reference PDFs (samples/expected:
// that renderer's output, not device exports; true device colours are still to be checked).

/** An sRGB colour with its own alpha (0..1). */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

const PALETTE: ReadonlyArray<readonly [number, number, number] | undefined> = [
  [0, 0, 0], // 0 black
  [144, 144, 144], // 1 grey
  [255, 255, 255], // 2 white
  [251, 247, 25], // 3 yellow (highlighter, fw 2.x–3.x)
  [0, 255, 0], // 4 green (highlighter)
  [255, 192, 203], // 5 pink (highlighter)
  [78, 105, 201], // 6 blue
  [179, 62, 57], // 7 red
  [125, 125, 125], // 8 grey (overlap highlighter)
  [255, 237, 117], // 9 "see ARGB": used only when the ARGB field is missing
  [161, 216, 125], // 10 green (pen, Paper Pro)
  [139, 208, 229], // 11 cyan
  [183, 130, 205], // 12 magenta
  [247, 232, 81], // 13 yellow (pen)
];

/** Colour id meaning "use the ARGB field". */
export const COLOR_ARGB = 9;

export const BLACK: Readonly<Rgba> = Object.freeze({ r: 0, g: 0, b: 0, a: 1 });
/** Fallback for highlights whose colour we do not know. */
export const HIGHLIGHT_YELLOW: Readonly<Rgba> = Object.freeze({ r: 255, g: 237, b: 117, a: 1 });

/**
 * The highlighter's yellow as the device exports it: `1 0.952941 0.658824 RG` at alpha 128/255
 * (rm2pdf reMarkable_output.pdf, the desktop app's export of a v5 page), which shows as
 * 255,249,211 over white.
 */
export const HIGHLIGHTER_YELLOW: Readonly<Rgba> = Object.freeze({ r: 255, g: 243, b: 168, a: 1 });

/**
 * Grey (palette id 1) on v3/v5 pages as the device exports it: `0.74902 0.74902 0.74902 RG`
 * (191,191,191; rm2pdf reMarkable_output.pdf, fineliner in grey). v6 pages keep the palette's grey.
 */
export const LEGACY_GREY: Readonly<Rgba> = Object.freeze({ r: 191, g: 191, b: 191, a: 1 });

/**
 * Colour of a highlighter stroke. Before colour highlighters (fw < 2.11, v3/v5 files) the
 * highlighter stored palette ids 0–2 (black/grey/white) but the device shows it yellow; other ids
 * and ARGB colours are what the device shows.
 */
export function highlighterInk(color: number, argb: number | undefined): Rgba {
  if (!hasArgb(argb) && (color === 0 || color === 1 || color === 2)) return { ...HIGHLIGHTER_YELLOW };
  return inkColor(color, argb, HIGHLIGHTER_YELLOW);
}

/** Decode a packed unsigned 0xAARRGGBB value. */
export function fromArgb(argb: number): Rgba {
  const v = argb >>> 0;
  return { r: (v >>> 16) & 255, g: (v >>> 8) & 255, b: v & 255, a: (v >>> 24) / 255 };
}

function fromPalette(id: number, fallback: Readonly<Rgba>): Rgba {
  const c = Number.isInteger(id) && id >= 0 ? PALETTE[id] : undefined;
  return c ? { r: c[0], g: c[1], b: c[2], a: 1 } : { ...fallback };
}

function hasArgb(argb: number | undefined): argb is number {
  return typeof argb === "number" && Number.isFinite(argb) && argb !== 0;
}

/**
 * Colour of an ink item. The ARGB field wins when present (it is what newer firmware actually
 * shows); otherwise the palette id; unknown ids fall back to `fallback`.
 */
export function inkColor(color: number, argb: number | undefined, fallback: Readonly<Rgba> = BLACK): Rgba {
  if (hasArgb(argb)) return fromArgb(argb);
  return fromPalette(color, fallback);
}

/** Colour of a glyph-range highlight (unknown ids → translucent-looking yellow). */
export function highlightColor(color: number, argb: number | undefined): Rgba {
  return inkColor(color, argb, HIGHLIGHT_YELLOW);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function byte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v) | 0;
}

/** `#rrggbb` (alpha is handled separately, as an opacity). */
export function toHex(c: Readonly<Rgba>): string {
  return `#${HEX[byte(c.r)]}${HEX[byte(c.g)]}${HEX[byte(c.b)]}`;
}

/** Luma-weighted grey of a colour, for grayscale output. */
export function toGray(c: Readonly<Rgba>): Rgba {
  const y = 0.299 * c.r + 0.587 * c.g + 0.114 * c.b;
  return { r: y, g: y, b: y, a: c.a };
}
