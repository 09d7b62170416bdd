// One page → one standalone SVG document. Coordinates stay in device units (the viewBox is the page
// box extended by the ink), and the physical size is given in points (72/dpi pt per unit).
// Every string from the file (text, layer names) goes through xmlEscape.

import type { Device, Page, Rect } from "../rm/model.ts";
import { type Rgba, highlightColor, toGray, toHex } from "./colors.ts";
import { xmlEscape } from "./escape.ts";
import { n1, n2 } from "./num.ts";
import { buildScene, finiteClamp, type Orientation, type Placed, type PlacedHighlight, type PlacedStroke, type Scene, union } from "./scene.ts";
import { textMarkers, type TextMarker } from "./text-draw.ts";
import type { TextLayout } from "./text-layout.ts";

export interface SvgOptions {
  /** Draw typed text (default true). `false` gives strokes only, e.g. for OCR. */
  text?: boolean;
  /** Draw glyph-range highlights (default true). */
  highlights?: boolean;
  /** Convert every colour to grey. */
  grayscale?: boolean;
  /** Fill the view with this colour first (CSS colour); default none (transparent). */
  background?: string | null;
  /** Treat the page as coming from this device (size/dpi), e.g. when the file has no SceneInfo. */
  device?: Device;
  /** Extend the view by ink outside the page (default true); false shows exactly the page box. */
  extend?: boolean;
  /** The document's orientation: landscape pages are drawn turned a quarter clockwise. */
  orientation?: Orientation;
  /**
   * The page's frame in display units instead of the device page: for a page over a PDF page, the
   * PDF page's frame (pdf-frame.ts), as the PDF and PNG outputs use; ink beyond it still extends it.
   */
  frame?: Rect;
  /** Points per unit for the width/height attributes (with `frame`: the PDF page's scale). */
  ptPerUnit?: number;
}

export const SANS = "Noto Sans, DejaVu Sans, Helvetica, Arial, sans-serif";
export const SERIF = "Noto Serif, DejaVu Serif, Georgia, Times New Roman, serif";
const HIGHLIGHT_OPACITY = 0.4;

export function renderSvg(page: Page, opts: SvgOptions = {}): string {
  const scene = buildScene(page, {
    ...(opts.device ? { device: opts.device } : {}),
    ...(opts.orientation ? { orientation: opts.orientation } : {}),
    text: opts.text !== false,
    extend: opts.extend !== false,
  });
  if (opts.frame && [opts.frame.x, opts.frame.y, opts.frame.w, opts.frame.h].every(Number.isFinite) && opts.frame.w > 0 && opts.frame.h > 0) {
    const frame = { ...opts.frame };
    return sceneToSvg({ ...scene, view: scene.ink && opts.extend !== false ? union(frame, scene.ink) : frame }, opts);
  }
  return sceneToSvg(scene, opts);
}

export function sceneToSvg(scene: Scene, opts: SvgOptions = {}): string {
  const v = scene.view;
  const pt = opts.ptPerUnit && Number.isFinite(opts.ptPerUnit) && opts.ptPerUnit > 0 ? opts.ptPerUnit : 72 / scene.dpi;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${n1(v.x)} ${n1(v.y)} ${n1(v.w)} ${n1(v.h)}" width="${n2(v.w * pt)}pt" height="${n2(v.h * pt)}pt">`,
  );
  if (opts.background) {
    out.push(`<rect class="background" x="${n1(v.x)}" y="${n1(v.y)}" width="${n1(v.w)}" height="${n1(v.h)}" fill="${xmlEscape(opts.background)}"/>`);
  }
  const paint = opts.grayscale ? (c: Rgba) => toHex(toGray(c)) : toHex;
  // Landscape: everything is drawn in the file's (portrait) coordinates, turned into the view.
  if (scene.rotation === 90) out.push('<g class="landscape" transform="rotate(90)">');
  if (scene.text && opts.text !== false) drawText(out, scene.text, paint);

  // Ink coordinates are integers in tenths of a unit: much faster to format than decimals.
  if (scene.items.length) out.push('<g transform="scale(0.1)">');
  let layer = -1;
  for (const item of scene.items) {
    if (item.layer !== layer) {
      if (layer >= 0) out.push("</g>");
      layer = item.layer;
      const label = scene.layers[layer]?.label ?? "";
      out.push(`<g class="layer" data-label="${xmlEscape(label)}" fill="none" stroke-linecap="round" stroke-linejoin="round">`);
    }
    if (item.kind === "stroke") drawStroke(out, item, paint);
    else if (opts.highlights !== false) drawHighlight(out, item, paint);
  }
  if (layer >= 0) out.push("</g>");
  if (scene.items.length) out.push("</g>");
  if (scene.rotation === 90) out.push("</g>");
  out.push("</svg>");
  return out.join("");
}

/** A coordinate in tenths of a unit, as an integer string (ink is drawn inside scale(0.1)). */
function t10(v: number): string {
  return String(Math.round(finiteClamp(v) * 10));
}

/** Points closer than this (Manhattan, tenths of a unit) to the last one written are skipped. */
const MIN_STEP = 5;

/**
 * Path data "Mx y x y …" (tenths of a unit) for points from..to, shifted by (dx, dy). Points within
 * half a unit (0.16 pt) of the previous one are dropped: invisible, and a quarter of all points.
 */
function pathData(item: PlacedStroke, from: number, to: number): string {
  const pts = item.stroke.points;
  const dx = item.dx * 10;
  const dy = item.dy * 10;
  const p0 = pts[from]!;
  const x0 = Math.round(finiteClamp(p0.x) * 10 + dx);
  const y0 = Math.round(finiteClamp(p0.y) * 10 + dy);
  let d = `M${x0} ${y0}`;
  let moved = false;
  let lx = x0;
  let ly = y0;
  for (let i = from + 1; i <= to; i++) {
    const p = pts[i]!;
    const x = Math.round(finiteClamp(p.x) * 10 + dx);
    const y = Math.round(finiteClamp(p.y) * 10 + dy);
    if (i < to && Math.abs(x - lx) + Math.abs(y - ly) < MIN_STEP) continue;
    if (x !== x0 || y !== y0) moved = true;
    d += ` ${x} ${y}`;
    lx = x;
    ly = y;
  }
  // A single point (or a stroke that never moved) still shows as a dot with a round cap.
  return moved ? d : `M${x0} ${y0}h0.1`;
}

/** A width in tenths of a unit (at least 0.1 unit). */
function w10(w: number): string {
  return String(Math.max(1, Math.round(w * 10)));
}

function drawStroke(out: string[], item: PlacedStroke, paint: (c: Rgba) => string): void {
  const { style } = item;
  const cls = `stroke pen-${style.pen.name}`;
  const color = paint(style.color);
  const cap = style.pen.cap !== "round" ? ` stroke-linecap="${style.pen.cap}"` : "";
  const runs = style.runs;
  if (runs.length === 1) {
    const r = runs[0]!;
    const op = style.opacity * r.opacity;
    out.push(
      `<path class="${cls}" d="${pathData(item, r.from, r.to)}" stroke="${color}" stroke-width="${w10(r.width)}"${cap}${op < 1 ? ` stroke-opacity="${n2(op)}"` : ""}/>`,
    );
    return;
  }
  out.push(`<g class="${cls}" stroke="${color}"${cap}${style.opacity < 1 ? ` opacity="${n2(style.opacity)}"` : ""}>`);
  for (const r of runs) {
    if (r.opacity <= 0.005) continue;
    out.push(`<path d="${pathData(item, r.from, r.to)}" stroke-width="${w10(r.width)}"${r.opacity < 1 ? ` stroke-opacity="${n2(r.opacity)}"` : ""}/>`);
  }
  out.push("</g>");
}

function drawHighlight(out: string[], item: PlacedHighlight, paint: (c: Rgba) => string): void {
  const h = item.highlight;
  const color = paint(highlightColor(h.color, h.argb));
  out.push(`<g class="highlight" fill="${color}" stroke="none" fill-opacity="${HIGHLIGHT_OPACITY}">`);
  for (const r of h.rects) {
    const w = Math.max(0, finiteClamp(r.w));
    const hh = Math.max(0, finiteClamp(r.h));
    out.push(`<rect x="${t10(r.x + item.dx)}" y="${t10(r.y + item.dy)}" width="${t10(w)}" height="${t10(hh)}"/>`);
  }
  out.push("</g>");
}

function drawText(out: string[], layout: TextLayout, paint: (c: Rgba) => string): void {
  const black = paint({ r: 0, g: 0, b: 0, a: 1 });
  out.push(`<g class="text" fill="${black}" font-family="${SANS}" xml:space="preserve">`);
  for (const p of layout.paragraphs) {
    const m = p.metrics;
    const family = `${m.serif ? ` font-family="${SERIF}"` : ""}${m.medium ? ` font-weight="bold"` : ""}`;
    for (const line of p.lines) {
      if (line.runs.length === 0) continue;
      out.push(`<text y="${n1(line.baseline)}" font-size="${n1(m.size)}"${family}>`);
      for (const r of line.runs) {
        // Each run is placed and stretched to its laid-out width, so whatever font the viewer
        // has, text lines up with the layout (and with strokes anchored to it).
        const attrs = `${r.bold ? ` font-weight="bold"` : ""}${r.italic ? ` font-style="italic"` : ""}`;
        const fit = r.width > 0 ? ` textLength="${n1(r.width)}" lengthAdjust="spacingAndGlyphs"` : "";
        out.push(`<tspan x="${n1(r.x)}"${fit}${attrs}>${xmlEscape(r.text)}</tspan>`);
      }
      out.push("</text>");
    }
  }
  for (const mk of textMarkers(layout)) drawMarker(out, mk, black);
  out.push("</g>");
}

function drawMarker(out: string[], mk: TextMarker, color: string): void {
  switch (mk.kind) {
    case "dot":
      out.push(`<circle class="bullet" cx="${n1(mk.x)}" cy="${n1(mk.y)}" r="${n1(mk.r)}"/>`);
      return;
    case "dash":
      out.push(`<path class="bullet" d="M${n1(mk.x)} ${n1(mk.y)}h${n1(mk.w)}" stroke="${color}" stroke-width="${n1(mk.t)}"/>`);
      return;
    case "box": {
      const d = mk.polygons.map((poly) => `M${poly.map(([x, y]) => `${n1(x)} ${n1(y)}`).join(" ")}Z`).join("");
      out.push(`<path class="checkbox${mk.checked ? " checked" : ""}" d="${d}" fill-rule="evenodd"/>`);
      return;
    }
    case "number":
      out.push(`<text class="number" x="${n1(mk.x)}" y="${n1(mk.y)}" font-size="${n1(mk.size)}">${xmlEscape(mk.label)}</text>`);
      return;
    case "strike":
      out.push(`<path class="strike" d="M${n1(mk.x)} ${n1(mk.y)}h${n1(mk.w)}" stroke="${color}" stroke-width="${n1(mk.t)}"/>`);
      return;
  }
}

export type { Placed };
