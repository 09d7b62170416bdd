// Per-tool drawing rules. The tablet draws a stroke as a chain of short polylines ("runs"), each
// with one width and opacity computed from the pen model (rm-format.md §6.4, §6.7). We checked the
// run layout against the rmc fork's reference PDFs (samples/expected/scrybble-rmc__*_expected_rmpp.pdf;
// that renderer's output, not device exports, so no ground truth for colours or weights): a pen with run length L
// starts run k at point k·L − 1 (so runs join) and takes its width/opacity from point k·L.
// The widths and tones themselves come from true device output (the desktop app's export,
// rm2pdf reMarkable_output.pdf; test/render/pencil-tone.test.ts and pen-weights.test.ts), not from
// that renderer. Adjacent runs whose width/opacity differ by less than a tolerance are merged so the
// output stays small.

import type { Point, Stroke } from "../rm/model.ts";
import { type Rgba, inkColor, COLOR_ARGB, highlighterInk, LEGACY_GREY } from "./colors.ts";
import { clamp } from "./num.ts";

export type PenName =
  | "brush"
  | "pencil"
  | "ballpoint"
  | "marker"
  | "fineliner"
  | "highlighter"
  | "eraser"
  | "mechanical-pencil"
  | "erase-area"
  | "erase-all"
  | "selection"
  | "calligraphy"
  | "shader"
  | "unknown";

export type LineCap = "round" | "square" | "butt";

export interface Pen {
  name: PenName;
  /** Erasers and selections are records of an action, not ink. */
  drawn: boolean;
  cap: LineCap;
  /** Points per run on the device; 0 = the whole stroke is one run of constant width. */
  step: number;
}

const TOOL_PENS: Record<number, PenName> = {
  0: "brush",
  1: "pencil",
  2: "ballpoint",
  3: "marker",
  4: "fineliner",
  5: "highlighter",
  6: "eraser",
  7: "mechanical-pencil",
  8: "erase-area",
  9: "erase-all",
  10: "selection",
  11: "selection",
  12: "brush",
  13: "mechanical-pencil",
  14: "pencil",
  15: "ballpoint",
  16: "marker",
  17: "fineliner",
  18: "highlighter",
  21: "calligraphy",
  23: "shader",
};

const PEN_RULES: Record<PenName, Omit<Pen, "name">> = {
  brush: { drawn: true, cap: "round", step: 2 },
  // One run of constant width and tone (see PENCIL_OPACITY).
  pencil: { drawn: true, cap: "round", step: 0 },
  ballpoint: { drawn: true, cap: "round", step: 5 },
  marker: { drawn: true, cap: "round", step: 3 },
  fineliner: { drawn: true, cap: "round", step: 0 },
  // Round caps and joins: the desktop app's export draws highlighter strokes with `1 J 1 j`
  // (rm2pdf reMarkable_output.pdf, page 2).
  highlighter: { drawn: true, cap: "round", step: 0 },
  eraser: { drawn: false, cap: "square", step: 0 },
  "mechanical-pencil": { drawn: true, cap: "round", step: 0 },
  "erase-area": { drawn: false, cap: "square", step: 0 },
  "erase-all": { drawn: false, cap: "square", step: 0 },
  selection: { drawn: false, cap: "round", step: 0 },
  calligraphy: { drawn: true, cap: "round", step: 2 },
  shader: { drawn: true, cap: "round", step: 0 },
  // Unknown (future) tools: draw like a ballpoint so ink is never lost.
  unknown: { drawn: true, cap: "round", step: 5 },
};

const PENS = new Map<PenName, Pen>(
  (Object.keys(PEN_RULES) as PenName[]).map((name) => [name, { name, ...PEN_RULES[name] }]),
);

/** Drawing rule for a tool id; unknown ids get a ballpoint-like pen (never throws). */
export function penFor(tool: number): Pen {
  return PENS.get(TOOL_PENS[tool] ?? "unknown")!;
}

/** Smallest and largest width we ever emit, in device units. */
export const MIN_WIDTH = 0.1;
export const MAX_WIDTH = 1000;

/**
 * Highlighter, measured from true device output (the desktop app's export of a v5 page,
 * rm2pdf reMarkable_output.pdf page 2): stroke alpha 128/255 (`CA .501961`), width = the stored
 * point width (30 units → 13.49 pt at 0.4497 pt/unit), round caps.
 */
const HIGHLIGHTER_OPACITY = 128 / 255;
const HIGHLIGHTER_WIDTH_RATIO = 1;

/** Shader strokes without an ARGB colour (should not happen): a light wash. */
const SHADER_DEFAULT_OPACITY = 0.25;

/**
 * Pencil and mechanical pencil, measured from true device output (the desktop app's export of the
 * v5 tool sampler, rm2pdf reMarkable_output.pdf page 2; test/render/pencil-tone.test.ts). The export
 * draws both as a grain of solid black specks inside a band about as wide as the stored point
 * widths (pencil ~0.8 of them, ~80 % of the band black; mechanical pencil ~0.7, ~88 % black). We
 * draw one run per stroke at a uniform tone with the same ink mass: width = ratio × the stroke's
 * mean point width (the device's point widths already follow pressure), one opacity for the whole
 * stroke (so no darker beads where runs overlap). Ink mass ours / export per row (thin, medium,
 * thick): pencil 0.93 / 1.07 / 1.01, mechanical pencil 1.05 / 1.08 / 1.01, in SVG, PNG and PDF.
 */
const PENCIL_WIDTH_RATIO = 0.8;
const PENCIL_OPACITY = 0.44;
const MECH_PENCIL_WIDTH_RATIO = 0.7;
const MECH_PENCIL_OPACITY = 0.85;

/**
 * Fineliner, ballpoint, marker and paintbrush, measured from the same export
 * (test/render/pen-weights.test.ts): the fineliner is stroked at the stored point width (2 / 4 / 6
 * units for thin / medium / thick: `0.899455 w` … `2.69836 w`); ballpoint, marker and paintbrush
 * are filled outlines whose ink mass is 0.85 / 0.8 / 0.95 × that of a line at the stored point
 * widths (the device's point widths already follow pressure and speed, so no further terms). Ink
 * mass ours / export before → after, all rows (PDF): fineliner thin 1.63 → 1.00, thick 0.65 → 1.00;
 * ballpoint 1.40 → 1.01; marker 1.14 → 1.04; paintbrush 1.14 → 1.05 (docs/benchmarks.md).
 */
const BALLPOINT_WIDTH_RATIO = 0.85;
const MARKER_WIDTH_RATIO = 0.8;
const BRUSH_WIDTH_RATIO = 0.95;

function num(v: number, fallback = 0): number {
  return Number.isFinite(v) ? v : fallback;
}

/** Width (units) and opacity (0..1) of one run, computed from its key point. */
export function runShape(
  pen: Pen,
  p: Readonly<Point>,
  thickness: number,
  lastWidth: number,
): { width: number; opacity: number } {
  const w = Math.max(0, num(p.width));
  const pr = clamp(num(p.pressure), 0, 1);
  const sp = Math.max(0, num(p.speed));
  const tilt = Math.abs(num(p.direction));
  const t = thickness > 0 && Number.isFinite(thickness) ? thickness : 2;
  let width: number;
  let opacity = 1;
  switch (pen.name) {
    case "ballpoint":
    case "unknown":
      width = BALLPOINT_WIDTH_RATIO * w;
      break;
    case "marker":
      width = MARKER_WIDTH_RATIO * w;
      break;
    case "brush":
      width = BRUSH_WIDTH_RATIO * w;
      // The brush darkens with pressure; keep a floor so light strokes stay visible.
      opacity = Math.max(0.2, clamp(1.5 * (pr ** 1.5 - (0.2 * sp) / 50), 0, 1));
      break;
    case "calligraphy":
      width = 0.9 * ((1 + pr) * w - 0.3 * tilt) + 0.1 * lastWidth;
      break;
    default:
      width = w;
  }
  return { width: clamp(num(width, MIN_WIDTH), MIN_WIDTH, MAX_WIDTH), opacity: clamp(num(opacity), 0, 1) };
}

function constantWidth(pen: Pen, stroke: Stroke): number {
  const t = stroke.thickness > 0 && Number.isFinite(stroke.thickness) ? stroke.thickness : 2;
  switch (pen.name) {
    case "fineliner":
      return meanWidth(stroke) || 1.8 * t;
    case "pencil":
      return PENCIL_WIDTH_RATIO * meanWidth(stroke) || 2 * t;
    case "mechanical-pencil":
      return MECH_PENCIL_WIDTH_RATIO * meanWidth(stroke) || t * t;
    case "highlighter":
      return meanWidth(stroke) * HIGHLIGHTER_WIDTH_RATIO || 25;
    default:
      return meanWidth(stroke) || 2 * t;
  }
}

function meanWidth(stroke: Stroke): number {
  let sum = 0;
  let n = 0;
  for (const p of stroke.points) {
    if (Number.isFinite(p.width) && p.width > 0) {
      sum += p.width;
      n++;
    }
  }
  return n ? sum / n : 0;
}

/** Points `from..to` (inclusive) drawn as one polyline of one width and opacity. */
export interface Run {
  from: number;
  to: number;
  width: number;
  opacity: number;
}

export interface StrokeStyle {
  pen: Pen;
  /** Ink colour (its `a` is not used: see `opacity`). */
  color: Rgba;
  /** Opacity of the stroke as a whole (highlighter, shader, mechanical pencil), applied once. */
  opacity: number;
  runs: Run[];
  /** Largest run width, for bounding boxes. */
  maxWidth: number;
}

export interface RunTolerance {
  /** Merge neighbouring runs whose widths differ by at most this (units). */
  width: number;
  /** … and whose opacities differ by at most this. */
  opacity: number;
}

export const DEFAULT_TOLERANCE: RunTolerance = { width: 0.25, opacity: 0.04 };

/**
 * How to draw a stroke, or null when it is not ink (erasers, selections, empty strokes).
 * `legacy`: the stroke is from a v3/v5 page (the device's grey differs there, colors.ts).
 * Never throws: bad numbers are clamped, unknown tools and colours fall back.
 */
export function strokeStyle(stroke: Stroke, tol: RunTolerance = DEFAULT_TOLERANCE, opts: { legacy?: boolean } = {}): StrokeStyle | null {
  const pen = penFor(stroke.tool);
  const n = stroke.points.length;
  if (!pen.drawn || n === 0) return null;
  const color =
    pen.name === "highlighter"
      ? highlighterInk(stroke.color, stroke.argb)
      : opts.legacy && stroke.color === 1 && !stroke.argb
        ? { ...LEGACY_GREY }
        : inkColor(stroke.color, stroke.argb);
  let opacity = 1;
  if (pen.name === "highlighter") opacity = HIGHLIGHTER_OPACITY;
  else if (pen.name === "shader") opacity = stroke.argb || stroke.color === COLOR_ARGB ? color.a : SHADER_DEFAULT_OPACITY;
  else if (pen.name === "mechanical-pencil") opacity = MECH_PENCIL_OPACITY;
  else if (pen.name === "pencil") opacity = PENCIL_OPACITY;
  if (!(opacity > 0)) opacity = pen.name === "shader" ? SHADER_DEFAULT_OPACITY : 1;

  if (pen.step === 0 || n === 1) {
    const width =
      pen.step === 0 ? clamp(constantWidth(pen, stroke), MIN_WIDTH, MAX_WIDTH) : runShape(pen, stroke.points[0]!, stroke.thickness, 0).width;
    const runOpacity = pen.step === 0 ? 1 : runShape(pen, stroke.points[0]!, stroke.thickness, 0).opacity;
    return { pen, color, opacity, runs: [{ from: 0, to: n - 1, width, opacity: runOpacity }], maxWidth: width };
  }
  return { pen, color, opacity, ...variableRuns(pen, stroke, tol) };
}

function variableRuns(pen: Pen, stroke: Stroke, tol: RunTolerance): { runs: Run[]; maxWidth: number } {
  const pts = stroke.points;
  const n = pts.length;
  const L = pen.step;
  const runs: Run[] = [];
  let maxWidth = 0;
  let last = 0;
  // Current merged run.
  let from = 0;
  let minW = 0;
  let maxW = 0;
  let minO = 0;
  let maxO = 0;
  let open = false;
  for (let k = 0; k * L < n - 1 || k === 0; k++) {
    const start = k === 0 ? 0 : k * L - 1;
    if (start >= n - 1) break;
    const key = pts[k * L] ?? pts[n - 1]!;
    const { width, opacity } = runShape(pen, key, stroke.thickness, last);
    last = width;
    if (width > maxWidth) maxWidth = width;
    if (
      open &&
      Math.max(maxW, width) - Math.min(minW, width) <= tol.width &&
      Math.max(maxO, opacity) - Math.min(minO, opacity) <= tol.opacity
    ) {
      if (width < minW) minW = width;
      if (width > maxW) maxW = width;
      if (opacity < minO) minO = opacity;
      if (opacity > maxO) maxO = opacity;
      continue;
    }
    if (open) runs.push({ from, to: start, width: (minW + maxW) / 2, opacity: (minO + maxO) / 2 });
    from = start;
    minW = maxW = width;
    minO = maxO = opacity;
    open = true;
  }
  if (open) runs.push({ from, to: n - 1, width: (minW + maxW) / 2, opacity: (minO + maxO) / 2 });
  return { runs, maxWidth };
}
