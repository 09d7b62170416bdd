// One page → PNG via resvg (WASM, initialised once on first use). The WASM file is imported as a
// file so `bun build --compile` embeds it. Used for OCR (strokes only, grayscale, long edge 1568)
// and for previews.

import { Resvg, initWasm } from "@resvg/resvg-wasm";
import wasmPath from "@resvg/resvg-wasm/index_bg.wasm" with { type: "file" };
import type { Device, Page } from "../rm/model.ts";
import { pngFonts } from "./png-fonts.ts";
import { buildScene } from "./scene.ts";
import { SANS, SERIF, sceneToSvg } from "./svg.ts";

export interface PngOptions {
  /** Length of the longer side in pixels (default 1568). */
  longEdge?: number;
  /** Background colour (default white); null for transparent. */
  background?: string | null;
  grayscale?: boolean;
  /** Draw typed text (default true); `false` gives strokes only (OCR input). */
  text?: boolean;
  /** Draw glyph-range highlights (default true). */
  highlights?: boolean;
  device?: Device;
  /** Extend the image by ink outside the page (default true); false renders exactly the page. */
  extend?: boolean;
}

const MAX_EDGE = 8000;

let ready: Promise<void> | null = null;

/** Load the resvg WASM module (once). */
export function initPng(): Promise<void> {
  ready ??= (async () => {
    const bytes = await Bun.file(wasmPath).arrayBuffer();
    await initWasm(bytes);
  })().catch((e: unknown) => {
    ready = null;
    throw new Error(`render: cannot load resvg wasm: ${e instanceof Error ? e.message : String(e)}`);
  });
  return ready;
}

export async function renderPng(page: Page, opts: PngOptions = {}): Promise<Uint8Array> {
  const longEdge = Math.round(Math.min(MAX_EDGE, Math.max(16, opts.longEdge ?? 1568)));
  const withText = opts.text !== false;
  const scene = buildScene(page, { ...(opts.device ? { device: opts.device } : {}), text: withText, extend: opts.extend !== false });
  const svg = sceneToSvg(scene, {
    text: withText,
    highlights: opts.highlights !== false,
    grayscale: opts.grayscale === true,
  });
  await initPng();
  const fonts = withText && scene.text ? await pngFonts() : [];
  const wide = scene.view.w >= scene.view.h;
  const background = opts.background === undefined ? "white" : opts.background;
  const resvg = new Resvg(svg, {
    fitTo: wide ? { mode: "width", value: longEdge } : { mode: "height", value: longEdge },
    ...(background ? { background } : {}),
    shapeRendering: 2,
    font: {
      fontBuffers: fonts,
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
      serifFamily: "DejaVu Serif",
    },
  });
  try {
    const img = resvg.render();
    try {
      return img.asPng();
    } finally {
      img.free();
    }
  } finally {
    resvg.free();
  }
}

export { SANS, SERIF };
