// Flattens a page's layer tree into an ordered list of things to draw, each with the translation
// of its anchored groups (rm-format.md §5.10), and computes the page and ink rectangles.
// Shared by the SVG, PNG and PDF renderers so they agree on placement.

import { DEVICES, type Device, type Group, type Highlight, type Page, type Rect, type Stroke } from "../rm/model.ts";
import { LIMITS } from "../rm/limits.ts";
import { strokeStyle, type StrokeStyle } from "./pens.ts";
import { AnchorResolver, layoutText, type TextLayout } from "./text-layout.ts";

/** Coordinates beyond this are clamped (hostile files; PDF cannot write exponents). */
export const COORD_LIMIT = 1_000_000;

export interface PlacedStroke {
  kind: "stroke";
  stroke: Stroke;
  style: StrokeStyle;
  dx: number;
  dy: number;
  layer: number;
}

export interface PlacedHighlight {
  kind: "highlight";
  highlight: Highlight;
  dx: number;
  dy: number;
  layer: number;
}

export type Placed = PlacedStroke | PlacedHighlight;

export interface LayerInfo {
  label: string;
}

export interface Scene {
  page: Page;
  /** Nominal page rectangle (device size) in page coordinates. */
  box: Rect;
  /** Bounding box of everything drawn (ink, highlights and, when drawn, text), or null. */
  ink: Rect | null;
  /** `box` extended by `ink`: what a renderer shows. */
  view: Rect;
  layers: LayerInfo[];
  items: Placed[];
  /** Laid-out typed text, or null when the page has none. */
  text: TextLayout | null;
  /** Pixels per inch of the device the page belongs to (for physical sizes). */
  dpi: number;
  /**
   * Quarter turns (clockwise) from the file's coordinates to the page as shown: 90 on landscape
   * documents, whose pages are stored in portrait coordinates (rm-format.md §3.1). `box`, `ink`
   * and `view` are in display units (`toDisplay`); items keep the file's coordinates and each
   * renderer turns them with `displayMatrix(rotation)`.
   */
  rotation: Rotation;
}

export type Orientation = "portrait" | "landscape";
export type Rotation = 0 | 90;

/** The quarter turn a document's `.content` orientation asks for. */
export function rotationOf(orientation: Orientation | undefined): Rotation {
  return orientation === "landscape" ? 90 : 0;
}

/**
 * File coordinates → display coordinates: a clockwise quarter turn on landscape documents,
 * (x, y) ↦ (−y, x) (y points down), as a PDF-style matrix [a b c d e f] (x' = a x + c y + e).
 * The SVG equivalent is `rotate(90)`.
 */
export function displayMatrix(rotation: Rotation): [number, number, number, number, number, number] {
  return rotation === 90 ? [0, 1, -1, 0, 0, 0] : [1, 0, 0, 1, 0, 0];
}

/** A rectangle in file coordinates → the same rectangle in display coordinates. */
export function toDisplay(r: Rect, rotation: Rotation): Rect {
  return rotation === 90 ? { x: -(r.y + r.h), y: r.x, w: r.h, h: r.w } : { ...r };
}

export interface SceneOptions {
  /** Treat the page as coming from this device (page size and dpi), e.g. when the file lacks SceneInfo. */
  device?: Device;
  /** Include typed text in the ink box (default true). */
  text?: boolean;
  /** Extend the view by ink outside the page (default true); false shows exactly the page box. */
  extend?: boolean;
  /** The document's `.content` orientation: landscape pages are shown turned a quarter clockwise. */
  orientation?: Orientation;
}

export function finiteClamp(v: number): number {
  return v > -COORD_LIMIT ? (v < COORD_LIMIT ? v : COORD_LIMIT) : Number.isNaN(v) ? 0 : -COORD_LIMIT;
}

/** The nominal page rectangle, honouring a device override. */
export function pageBox(page: Page, device?: Device): Rect {
  if (!device || device === page.device) return page.box;
  const d = DEVICES[device];
  return page.frame === "centered" ? { x: -d.width / 2, y: 0, w: d.width, h: d.height } : { x: 0, y: 0, w: d.width, h: d.height };
}

export function buildScene(page: Page, opts: SceneOptions = {}): Scene {
  const device = opts.device ?? page.device;
  const dpi = (DEVICES[device] ?? DEVICES.rm2).dpi;
  const box = pageBox(page, opts.device);
  const hasText = !!page.text && page.text.paragraphs.length > 0;
  let layout: TextLayout | null = null;
  let resolver: AnchorResolver | null = null;
  const getResolver = (): AnchorResolver => {
    layout ??= layoutText(page.text);
    resolver ??= new AnchorResolver(layout, page.text);
    return resolver;
  };
  if (hasText) getResolver();

  const items: Placed[] = [];
  const layers: LayerInfo[] = [];
  const legacy = { legacy: page.version === 3 || page.version === 5 };
  const bb = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };

  const visit = (g: Group, dx: number, dy: number, layer: number, depth: number): void => {
    if (depth > LIMITS.maxGroupDepth) return;
    for (const child of g.children) {
      if (child.kind === "group") {
        if (!child.visible) continue;
        let cx = dx;
        let cy = dy;
        const a = child.anchor;
        if (a && page.frame === "centered") {
          const r = getResolver();
          let ox = Number.isFinite(a.originX) ? a.originX : 0;
          if (a.type === 1 && ox === 0) ox = r.x(a.id) ?? 0;
          cx += finiteClamp(ox);
          cy += finiteClamp(r.y(a.id));
        }
        visit(child, cx, cy, layer, depth + 1);
      } else if (child.kind === "stroke") {
        const style = strokeStyle(child, undefined, legacy);
        if (!style) continue;
        items.push({ kind: "stroke", stroke: child, style, dx, dy, layer });
        const pad = style.maxWidth / 2;
        for (const p of child.points) {
          const x = finiteClamp(p.x) + dx;
          const y = finiteClamp(p.y) + dy;
          if (x - pad < bb.x0) bb.x0 = x - pad;
          if (x + pad > bb.x1) bb.x1 = x + pad;
          if (y - pad < bb.y0) bb.y0 = y - pad;
          if (y + pad > bb.y1) bb.y1 = y + pad;
        }
      } else if (child.kind === "highlight") {
        if (child.rects.length === 0) continue;
        items.push({ kind: "highlight", highlight: child, dx, dy, layer });
        for (const r of child.rects) {
          const x = finiteClamp(r.x) + dx;
          const y = finiteClamp(r.y) + dy;
          const w = Math.max(0, finiteClamp(r.w));
          const h = Math.max(0, finiteClamp(r.h));
          if (x < bb.x0) bb.x0 = x;
          if (y < bb.y0) bb.y0 = y;
          if (x + w > bb.x1) bb.x1 = x + w;
          if (y + h > bb.y1) bb.y1 = y + h;
        }
      }
    }
  };

  page.layers.forEach((layer, i) => {
    layers.push({ label: layer.label });
    if (layer.visible) visit(layer, 0, 0, i, 0);
  });

  if (hasText && opts.text !== false && layout) {
    const tb = (layout as TextLayout).bounds;
    if (tb) {
      bb.x0 = Math.min(bb.x0, tb.x);
      bb.y0 = Math.min(bb.y0, tb.y);
      bb.x1 = Math.max(bb.x1, tb.x + tb.w);
      bb.y1 = Math.max(bb.y1, tb.y + tb.h);
    }
  }

  const rotation = rotationOf(opts.orientation);
  const fileInk = bb.x0 <= bb.x1 ? { x: bb.x0, y: bb.y0, w: bb.x1 - bb.x0, h: bb.y1 - bb.y0 } : null;
  const ink = fileInk ? toDisplay(fileInk, rotation) : null;
  const shown = toDisplay(box, rotation);
  const view = ink && opts.extend !== false ? union(shown, ink) : { ...shown };
  return { page, box: shown, ink, view, layers, items, text: hasText ? layout : null, dpi, rotation };
}

export function union(a: Rect, b: Rect): Rect {
  const x0 = Math.min(a.x, b.x);
  const y0 = Math.min(a.y, b.y);
  const x1 = Math.max(a.x + a.w, b.x + b.w);
  const y1 = Math.max(a.y + a.h, b.y + b.h);
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}
