// The fonts typed text is laid out with: DejaVu Sans and DejaVu Serif, bundled in fonts/ (with their
// LICENSE, which allows redistribution and embedding). Imported `with { type: "file" }`, so
// `bun build --compile` puts them inside the executable (paths under /$bunfs/ there) and every
// output looks the same on every machine — macOS, Windows, a Linux without fonts-dejavu, the
// Docker image — without searching the system's font folders. PDFs embed subsets of these
// (pdf-fonts.ts); PNGs hand the same files to resvg (png-fonts.ts).

import sans from "../../fonts/DejaVuSans.ttf" with { type: "file" };
import sansBold from "../../fonts/DejaVuSans-Bold.ttf" with { type: "file" };
import sansItalic from "../../fonts/DejaVuSans-Oblique.ttf" with { type: "file" };
import sansBoldItalic from "../../fonts/DejaVuSans-BoldOblique.ttf" with { type: "file" };
import serif from "../../fonts/DejaVuSerif.ttf" with { type: "file" };
import serifBold from "../../fonts/DejaVuSerif-Bold.ttf" with { type: "file" };
import serifItalic from "../../fonts/DejaVuSerif-Italic.ttf" with { type: "file" };
import serifBoldItalic from "../../fonts/DejaVuSerif-BoldItalic.ttf" with { type: "file" };

export type FontFace = "sans" | "sans-bold" | "sans-italic" | "sans-bold-italic" | "serif" | "serif-bold" | "serif-italic" | "serif-bold-italic";

/** Path of each face's bundled TrueType file (inside the executable when compiled). */
export const FONT_FILES: Readonly<Record<FontFace, string>> = {
  sans,
  "sans-bold": sansBold,
  "sans-italic": sansItalic,
  "sans-bold-italic": sansBoldItalic,
  serif,
  "serif-bold": serifBold,
  "serif-italic": serifItalic,
  "serif-bold-italic": serifBoldItalic,
};

/** Each face's name (its file name without `.ttf`; compiled paths carry a hash, so not derived). */
export const FONT_NAMES: Readonly<Record<FontFace, string>> = {
  sans: "DejaVuSans",
  "sans-bold": "DejaVuSans-Bold",
  "sans-italic": "DejaVuSans-Oblique",
  "sans-bold-italic": "DejaVuSans-BoldOblique",
  serif: "DejaVuSerif",
  "serif-bold": "DejaVuSerif-Bold",
  "serif-italic": "DejaVuSerif-Italic",
  "serif-bold-italic": "DejaVuSerif-BoldItalic",
};

/** The bytes of a face's bundled file; null if it cannot be read (never expected). */
export async function readFontFile(face: FontFace): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await Bun.file(FONT_FILES[face]).arrayBuffer());
  } catch {
    return null;
  }
}
