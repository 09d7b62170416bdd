// Compact number formatting for SVG/PDF output: fixed precision without trailing zeros,
// never "NaN"/"Infinity"/"-0" (those would make the output invalid).

/** Round to 1 decimal (coordinates in device units: 0.1 unit ≈ 0.03 pt). */
export function n1(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Number.isFinite(r) && r !== 0 ? String(r) : "0";
}

/** Round to 2 decimals (widths, opacities, PDF points). */
export function n2(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Number.isFinite(r) && r !== 0 ? String(r) : "0";
}

/** Round to 3 decimals (matrix factors). */
export function n3(v: number): string {
  const r = Math.round(v * 1000) / 1000;
  return Number.isFinite(r) && r !== 0 ? String(r) : "0";
}

/** Clamp to [lo, hi]; NaN becomes `lo`. */
export function clamp(v: number, lo: number, hi: number): number {
  return v >= lo ? (v <= hi ? v : hi) : lo;
}

/** A finite number or the fallback. */
export function finite(v: number, fallback = 0): number {
  return Number.isFinite(v) ? v : fallback;
}
