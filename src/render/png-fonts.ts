// Fonts for drawing typed text into PNGs. resvg (WASM) cannot see system fonts by itself, so we
// hand it font files: the ones registered with `setPngFonts`, else a few common system fonts
// found on first use. Without any font, typed text is simply absent from PNGs (strokes still draw;
// OCR images are strokes-only anyway and typed text is exported from the file itself).

const CANDIDATES = [
  // Linux (Debian/Ubuntu/Alpine packages)
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-BoldOblique.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
  "/usr/share/fonts/dejavu/DejaVuSerif.ttf",
  "/usr/share/fonts/noto/NotoSans-Regular.ttf",
  "/usr/share/fonts/noto/NotoSans-Bold.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
  // macOS
  "/System/Library/Fonts/Supplemental/Arial.ttf",
  "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
  "/System/Library/Fonts/Supplemental/Georgia.ttf",
  // Windows
  "C:\\Windows\\Fonts\\arial.ttf",
  "C:\\Windows\\Fonts\\arialbd.ttf",
  "C:\\Windows\\Fonts\\georgia.ttf",
];

let custom: Uint8Array[] | null = null;
let found: Promise<Uint8Array[]> | null = null;

/** Use these font files (TTF/OTF bytes) for text in PNGs instead of searching the system. */
export function setPngFonts(fonts: Uint8Array[]): void {
  custom = fonts;
}

/** The fonts to give resvg (searched once, lazily). */
export function pngFonts(): Promise<Uint8Array[]> {
  if (custom) return Promise.resolve(custom);
  found ??= (async () => {
    const out: Uint8Array[] = [];
    for (const path of CANDIDATES) {
      try {
        const f = Bun.file(path);
        if (await f.exists()) out.push(new Uint8Array(await f.arrayBuffer()));
      } catch {
        // unreadable: skip
      }
    }
    return out;
  })();
  return found;
}
