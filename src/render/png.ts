// One page → PNG via resvg (WASM, initialised once on first use). The WASM file is imported as a
// file so `bun build --compile` embeds it. Used for OCR (strokes only, grayscale, long edge 1568;
// with the original PDF page underneath for annotated PDFs, png-underlay.ts) and for previews.

import { Resvg, initWasm } from "@resvg/resvg-wasm";
import wasmPath from "@resvg/resvg-wasm/index_bg.wasm" with { type: "file" };
import { DEVICES, type Device, type Page } from "../rm/model.ts";
import type { PdfUnderlay, PlacedUnderlay } from "./png-underlay.ts";
import { pngFonts } from "./png-fonts.ts";
import { encodeThumbPng, type Pixels } from "./thumb-png.ts";
import { THUMB_LONG_EDGE } from "./thumb-version.ts";
import { buildScene, type Orientation, type Scene, union } from "./scene.ts";
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
  /** The document's orientation: landscape pages are drawn turned a quarter clockwise. */
  orientation?: Orientation;
  /**
   * The original PDF page to draw underneath (annotated PDFs): the image then shows that page (at
   * the PDF export's placement) extended by ink outside it, instead of the device page.
   */
  underlay?: PdfUnderlay;
  /**
   * When set, an underlay that cannot be drawn (MuPDF unavailable, unreadable PDF) is reported
   * here and the page renders without it; when not set, that failure throws.
   */
  onUnderlayError?: (message: string) => void;
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

async function draw<T>(page: Page, opts: PngOptions, raw: (png: () => Uint8Array, pixels: () => Pixels) => T): Promise<T> {
  const longEdge = Math.round(Math.min(MAX_EDGE, Math.max(16, opts.longEdge ?? 1568)));
  const withText = opts.text !== false;
  let scene = buildScene(page, {
    ...(opts.device ? { device: opts.device } : {}),
    ...(opts.orientation ? { orientation: opts.orientation } : {}),
    text: withText,
    extend: opts.extend !== false,
  });
  // Annotated PDFs: the PDF page is the frame (ink outside it still extends it), drawn underneath.
  const placed = opts.underlay ? await placeUnderlayOrReport(scene, opts) : null;
  if (placed) scene = { ...scene, view: scene.ink && opts.extend !== false ? union(placed.rect, scene.ink) : { ...placed.rect } };
  const svg = sceneToSvg(scene, {
    text: withText,
    highlights: opts.highlights !== false,
    grayscale: opts.grayscale === true,
  });
  try {
    return await rasterise(scene, svg, longEdge, withText, opts, placed, raw);
  } finally {
    placed?.close();
  }
}

/**
 * A small thumbnail of the page (an indexed-colour PNG of a few KB, thumb-png.ts), with the PDF
 * page underneath when `underlay` is given: what the dashboard shows in grids and search results.
 */
export async function renderThumbnail(page: Page, opts: Pick<PngOptions, "longEdge" | "orientation" | "underlay" | "onUnderlayError" | "device"> = {}): Promise<Uint8Array> {
  return encodeThumbPng(await renderPixels(page, { ...opts, longEdge: opts.longEdge ?? THUMB_LONG_EDGE }));
}

export function renderPng(page: Page, opts: PngOptions = {}): Promise<Uint8Array> {
  return draw(page, opts, (r) => r());
}

/** As renderPng, but the pixels instead of a PNG. */
export function renderPixels(page: Page, opts: PngOptions = {}): Promise<Pixels> {
  return draw(page, opts, (_r, px) => px());
}

async function rasterise<T>(
  scene: Scene,
  svg: string,
  longEdge: number,
  withText: boolean,
  opts: PngOptions,
  placed: PlacedUnderlay | null,
  raw: (png: () => Uint8Array, pixels: () => Pixels) => T,
): Promise<T> {
  await initPng();
  const fonts = withText && scene.text ? await pngFonts() : [];
  const wide = scene.view.w >= scene.view.h;
  // Under a PDF page the strokes are multiplied onto the paper: they need their white ground.
  const background = placed || opts.background === undefined ? "white" : opts.background;
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
      if (placed) {
        try {
          return raw(
            () => placed.composite(img.pixels, img.width, img.height, scene.view),
            () => ({ width: img.width, height: img.height, ...placed.compositePixels(img.pixels, img.width, img.height, scene.view) }),
          );
        } catch (e) {
          if (!opts.onUnderlayError) throw e;
          opts.onUnderlayError(e instanceof Error ? e.message : String(e));
        }
      }
      return raw(
        () => img.asPng(),
        () => ({ width: img.width, height: img.height, channels: 4, data: img.pixels.slice() }),
      );
    } finally {
      img.free();
    }
  } finally {
    resvg.free();
  }
}

async function placeUnderlayOrReport(scene: Scene, opts: PngOptions): Promise<PlacedUnderlay | null> {
  const page = scene.page;
  try {
    // Loaded on first use only: MuPDF is large and most pages are notebook pages.
    const { placeUnderlay } = await import("./png-underlay.ts");
    const placement = { frame: page.frame, dpi: DEVICES[page.device].dpi, page: scene.box, rotation: scene.rotation };
    return await placeUnderlay(opts.underlay!, placement, opts.grayscale === true);
  } catch (e) {
    if (!opts.onUnderlayError) throw e;
    opts.onUnderlayError(e instanceof Error ? e.message : String(e));
    return null;
  }
}

export { SANS, SERIF };
