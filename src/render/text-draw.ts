// List markers and decorations for laid-out text (bullets, dashes, checkboxes, numbers, the
// strike-through of checked items), as plain geometry so SVG and PDF draw the same thing.
// Positions were measured from the rmc fork's reference PDFs (samples/expected; that renderer's
// output, not device exports), relative to the text box and baseline.

import type { TextLayout } from "./text-layout.ts";

export type TextMarker =
  | { kind: "dot"; x: number; y: number; r: number }
  | { kind: "dash"; x: number; y: number; w: number; t: number }
  | { kind: "box"; checked: boolean; /** Closed polygons, filled with the even-odd rule. */ polygons: Array<Array<[number, number]>> }
  | { kind: "number"; x: number; y: number; size: number; label: string }
  | { kind: "strike"; x: number; y: number; w: number; t: number };

const LEVEL2_SHIFT = 38.15;
const BOX_SCALE = 0.954;
/** Unchecked: a square outline with a heavier right/bottom edge (cell units 0..40). */
const UNCHECKED: ReadonlyArray<ReadonlyArray<readonly [number, number]>> = [
  [[32, 4], [36, 8], [36, 36], [8, 36], [4, 32], [4, 4]],
  [[6, 6], [30, 6], [30, 30], [6, 30]],
];
/** Checked: a filled square with the tick cut out. */
const CHECKED: ReadonlyArray<ReadonlyArray<readonly [number, number]>> = [
  [[36, 8], [8, 8], [8, 36], [36, 36]],
  [[12, 24], [19, 30], [32, 16], [30, 14], [19, 26], [14, 22]],
];

export function textMarkers(layout: TextLayout): TextMarker[] {
  const out: TextMarker[] = [];
  for (const p of layout.paragraphs) {
    const m = p.metrics;
    const first = p.lines[0];
    if (!first) continue;
    const b = first.baseline;
    const shift = m.level === 2 ? LEVEL2_SHIFT : 0;
    const x0 = layout.posX + shift;
    if (m.kind === "bullet") {
      if (m.level === 1) out.push({ kind: "dot", x: x0 + 12.7, y: b - 3.4, r: 5.1 });
      else out.push({ kind: "dash", x: x0 + 7.7, y: b - 3.4, w: 10.2, t: 2.5 });
    } else if (m.kind === "number" && p.number !== undefined) {
      out.push({ kind: "number", x: x0, y: b, size: m.size, label: `${p.number}.` });
    } else if (m.kind === "checkbox") {
      // The tablet's checkbox glyph: a 40-unit cell scaled by 0.954, its top 32.1 above the baseline.
      const ox = x0;
      const oy = b - 32.1;
      const place = (poly: ReadonlyArray<readonly [number, number]>): Array<[number, number]> =>
        poly.map(([px, py]) => [round1(ox + px * BOX_SCALE), round1(oy + py * BOX_SCALE)]);
      out.push({ kind: "box", checked: m.checked, polygons: (m.checked ? CHECKED : UNCHECKED).map(place) });
      if (m.checked && !p.empty) {
        for (const line of p.lines) {
          if (line.runs.length === 0) continue;
          const left = line.runs[0]!.x;
          out.push({ kind: "strike", x: left, y: line.baseline - m.size * 0.3, w: line.right - left, t: 2 });
        }
      }
    }
  }
  return out;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
