// PDF content-stream operators for one page's scene: strokes as runs of lines, highlights as
// translucent rectangles, typed text as real (selectable) text in embedded fonts (pdf-fonts.ts). Written as one
// string per page (much faster than one pdf-lib call per segment).

import type { Highlight } from "../rm/model.ts";
import { type Rgba, highlightColor } from "./colors.ts";
import { n2, n3 } from "./num.ts";
import type { FontFace, TextFont } from "./pdf-fonts.ts";
import type { Matrix } from "./pdf-place.ts";
import { finiteClamp, type PlacedHighlight, type PlacedStroke, type Scene } from "./scene.ts";
import { textMarkers } from "./text-draw.ts";

export type { FontFace } from "./pdf-fonts.ts";

/** Page resources the operators refer to (allocated by the caller). */
export interface PdfResources {
  /** Name (with leading slash) of an ExtGState with this opacity (and multiply blending). */
  gs(opacity: number, multiply?: boolean): string;
  /** Name (with leading slash) and font object for a face. */
  font(face: FontFace): { name: string; font: TextFont };
}

export interface InkOptions {
  text?: boolean;
  highlights?: boolean;
  /** Extra highlights (fw 2.x .highlights files), in the page's coordinates. */
  extraHighlights?: Highlight[];
}

const HIGHLIGHT_OPACITY = 0.4;

function rgb(c: Rgba): string {
  return `${n3(c.r / 255)} ${n3(c.g / 255)} ${n3(c.b / 255)}`;
}

const CAP: Record<string, number> = { butt: 0, round: 1, square: 2 };

export function sceneOperators(scene: Scene, m: Matrix, res: PdfResources, opts: InkOptions = {}): string {
  const out: string[] = [];
  out.push(`q ${m.map(n3).join(" ")} cm 1 j`);
  if (scene.text && opts.text !== false) textOperators(out, scene, res);
  for (const item of scene.items) {
    if (item.kind === "stroke") strokeOperators(out, item, res);
    else if (opts.highlights !== false) highlightOperators(out, item, res);
  }
  for (const h of opts.extraHighlights ?? []) highlightOperators(out, { kind: "highlight", highlight: h, dx: 0, dy: 0, layer: 0 }, res);
  out.push("Q");
  return out.join("\n");
}

function strokeOperators(out: string[], item: PlacedStroke, res: PdfResources): void {
  const { style, stroke, dx, dy } = item;
  const pts = stroke.points;
  out.push(`${rgb(style.color)} RG ${CAP[style.pen.cap] ?? 1} J`);
  let lastGs = "";
  for (const r of style.runs) {
    const op = style.opacity * r.opacity;
    if (op <= 0.005) continue;
    const gs = res.gs(op);
    if (gs !== lastGs) {
      out.push(`${gs} gs`);
      lastGs = gs;
    }
    const parts: string[] = [`${n2(r.width)} w`];
    const p0 = pts[r.from]!;
    let moved = false;
    let lx = Number.NaN;
    let ly = Number.NaN;
    for (let i = r.from; i <= r.to; i++) {
      const p = pts[i]!;
      const x = finiteClamp(p.x) + dx;
      const y = finiteClamp(p.y) + dy;
      // Skip points within half a unit of the last one written (invisible; ~25 % of points).
      if (i > r.from && i < r.to && Math.abs(x - lx) + Math.abs(y - ly) < 0.5) continue;
      if (p.x !== p0.x || p.y !== p0.y) moved = true;
      parts.push(`${n2(x)} ${n2(y)} ${i === r.from ? "m" : "l"}`);
      lx = x;
      ly = y;
    }
    if (!moved) parts.push(`${n2(finiteClamp(p0.x) + dx + 0.01)} ${n2(finiteClamp(p0.y) + dy)} l`);
    parts.push("S");
    out.push(parts.join(" "));
  }
  if (lastGs) out.push(`${res.gs(1)} gs`);
}

function highlightOperators(out: string[], item: PlacedHighlight, res: PdfResources): void {
  const h = item.highlight;
  const parts: string[] = [`${res.gs(HIGHLIGHT_OPACITY, true)} gs ${rgb(highlightColor(h.color, h.argb))} rg`];
  for (const r of h.rects) {
    const w = Math.max(0, finiteClamp(r.w));
    const hh = Math.max(0, finiteClamp(r.h));
    parts.push(`${n2(finiteClamp(r.x) + item.dx)} ${n2(finiteClamp(r.y) + item.dy)} ${n2(w)} ${n2(hh)} re`);
  }
  parts.push(`f ${res.gs(1)} gs`);
  out.push(parts.join(" "));
}

function faceOf(serif: boolean, bold: boolean, italic: boolean): FontFace {
  return `${serif ? "serif" : "sans"}${bold && italic ? "-bold-italic" : bold ? "-bold" : italic ? "-italic" : ""}` as FontFace;
}

function textOperators(out: string[], scene: Scene, res: PdfResources): void {
  const layout = scene.text!;
  out.push("0 0 0 rg 0 0 0 RG");
  for (const p of layout.paragraphs) {
    const size = p.metrics.size;
    for (const line of p.lines) {
      for (const r of line.runs) {
        const { name, font } = res.font(faceOf(p.metrics.serif, r.bold || p.metrics.medium, r.italic));
        const text = font.encodable(r.text);
        if (!text.trim()) continue;
        const natural = font.width(text, size);
        const tz = natural > 0 && r.width > 0 ? Math.min(200, Math.max(50, (100 * r.width) / natural)) : 100;
        out.push(`BT ${name} ${n2(size)} Tf ${n2(tz)} Tz 1 0 ${n2(font.slant ?? 0)} -1 ${n2(r.x)} ${n2(line.baseline)} Tm ${font.encode(text)} Tj ET`);
      }
    }
  }
  for (const mk of textMarkers(layout)) {
    switch (mk.kind) {
      case "dot": {
        const k = 0.5523 * mk.r;
        const { x, y, r } = mk;
        out.push(
          `${n2(x + r)} ${n2(y)} m ${n2(x + r)} ${n2(y + k)} ${n2(x + k)} ${n2(y + r)} ${n2(x)} ${n2(y + r)} c ` +
            `${n2(x - k)} ${n2(y + r)} ${n2(x - r)} ${n2(y + k)} ${n2(x - r)} ${n2(y)} c ` +
            `${n2(x - r)} ${n2(y - k)} ${n2(x - k)} ${n2(y - r)} ${n2(x)} ${n2(y - r)} c ` +
            `${n2(x + k)} ${n2(y - r)} ${n2(x + r)} ${n2(y - k)} ${n2(x + r)} ${n2(y)} c f`,
        );
        break;
      }
      case "dash":
      case "strike":
        out.push(`0 J ${n2(mk.t)} w ${n2(mk.x)} ${n2(mk.y)} m ${n2(mk.x + mk.w)} ${n2(mk.y)} l S`);
        break;
      case "box":
        out.push(`${mk.polygons.map((poly) => `${poly.map(([x, y], i) => `${n2(x)} ${n2(y)} ${i ? "l" : "m"}`).join(" ")} h`).join(" ")} f*`);
        break;
      case "number": {
        const { name, font } = res.font("sans");
        out.push(`BT ${name} ${n2(mk.size)} Tf 100 Tz 1 0 0 -1 ${n2(mk.x)} ${n2(mk.y)} Tm ${font.encode(font.encodable(mk.label))} Tj ET`);
        break;
      }
    }
  }
}
