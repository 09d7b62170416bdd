// Fonts for drawing typed text into PNGs. resvg (WASM) cannot see system fonts by itself, so we
// hand it font files: the ones registered with `setPngFonts`, else the DejaVu faces bundled in
// fonts/ (font-files.ts) — the same files the PDFs embed, inside the executable, so PNGs look the
// same on every machine and need no installed font.

import { FONT_FILES, type FontFace, readFontFile } from "./font-files.ts";

let custom: Uint8Array[] | null = null;
let found: Promise<Uint8Array[]> | null = null;

/** Use these font files (TTF/OTF bytes) for text in PNGs instead of the bundled ones. */
export function setPngFonts(fonts: Uint8Array[]): void {
  custom = fonts;
}

/** The fonts to give resvg (read once, lazily). */
export function pngFonts(): Promise<Uint8Array[]> {
  if (custom) return Promise.resolve(custom);
  found ??= (async () => {
    const out: Uint8Array[] = [];
    for (const face of Object.keys(FONT_FILES) as FontFace[]) {
      const bytes = await readFontFile(face);
      if (bytes) out.push(bytes);
    }
    return out;
  })();
  return found;
}
