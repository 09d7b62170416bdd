import { describe, expect, test } from "bun:test";
import { BLACK, fromArgb, highlightColor, inkColor, toHex } from "../../src/render/colors.ts";
import { MIN_WIDTH, penFor, runShape, strokeStyle } from "../../src/render/pens.ts";
import { pt, stroke } from "./fixtures.ts";

describe("penFor", () => {
  test("every known tool id has a rule; erasers and selections are not drawn", () => {
    const drawn = [0, 1, 2, 3, 4, 5, 7, 12, 13, 14, 15, 16, 17, 18, 21, 23];
    for (const id of drawn) expect(penFor(id).drawn).toBe(true);
    for (const id of [6, 8, 9, 10, 11]) expect(penFor(id).drawn).toBe(false);
    expect(penFor(15).name).toBe("ballpoint");
    expect(penFor(2).name).toBe("ballpoint");
    expect(penFor(17).name).toBe("fineliner");
    expect(penFor(18).cap).toBe("round"); // the device export draws highlighters with 1 J (device-colours.test.ts)
    expect(penFor(23).name).toBe("shader");
    expect(penFor(21).name).toBe("calligraphy");
  });

  test("unknown tool ids are drawn (never dropped, never throw)", () => {
    for (const id of [19, 20, 22, 24, 99, -1, 1.5, Number.NaN]) {
      const p = penFor(id);
      expect(p.drawn).toBe(true);
      expect(p.name).toBe("unknown");
    }
  });
});

describe("widths", () => {
  test("ballpoint, marker and paintbrush follow the stored point width (0.85 / 0.8 / 0.95 ×, device export, pen-weights.test.ts)", () => {
    // Before: ballpoint 0.5 + pressure + width − speed/100 (the rmc fork's rule, 1.4 × the device's
    // ink), marker and brush minus "tilt" terms; the device's point widths already follow pressure.
    for (const pressure of [0.027, 0.9]) {
      const p = pt(0, 0, { width: 3, pressure, speed: 40, direction: 2 });
      expect(runShape(penFor(15), p, 2, 0).width).toBeCloseTo(0.85 * 3, 5);
      expect(runShape(penFor(16), p, 2, 7).width).toBeCloseTo(0.8 * 3, 5);
      expect(runShape(penFor(12), p, 2, 0).width).toBeCloseTo(0.95 * 3, 5);
    }
  });

  test("fineliner is its mean stored point width (2 / 4 / 6 units in the device export), mechanical pencil 0.7 × its mean point width at 0.85, highlighter its stored width at 50 % (device export)", () => {
    const pts = [pt(0, 0, { width: 4 }), pt(10, 10, { width: 8 }), pt(20, 0)];
    expect(strokeStyle(stroke(pts, { tool: 17, thickness: 2 }))!.runs[0]!.width).toBeCloseTo(5, 5); // mean of 4, 8, 3
    // No point widths (should not happen): 1.8 × thickness, as before.
    expect(strokeStyle(stroke(pts.map((p) => ({ ...p, width: 0 })), { tool: 17, thickness: 2 }))!.runs[0]!.width).toBeCloseTo(3.6, 5);
    const mech = strokeStyle(stroke(pts, { tool: 13, thickness: 1.611 }))!;
    expect(mech.runs).toHaveLength(1);
    expect(mech.runs[0]!.width).toBeCloseTo(0.7 * 5, 5); // mean of 4, 8, 3
    expect(mech.opacity).toBeCloseTo(0.85, 5);
    // No point widths (should not happen): thickness², as before.
    expect(strokeStyle(stroke(pts.map((p) => ({ ...p, width: 0 })), { tool: 13, thickness: 1.611 }))!.runs[0]!.width).toBeCloseTo(2.595, 2);
    const hl = strokeStyle(stroke(pts.map((p) => ({ ...p, width: 30 })), { tool: 18, color: 9, argb: 0xffffed75 }))!;
    expect(hl.runs).toHaveLength(1);
    expect(hl.runs[0]!.width).toBeCloseTo(30, 5);
    expect(hl.opacity).toBeCloseTo(128 / 255, 5);
    expect(hl.pen.cap).toBe("round");
  });

  test("pencil: one run 0.8 × its mean point width, one tone (0.44) for the whole stroke (device export, pencil-tone.test.ts)", () => {
    const pts = [pt(0, 0, { width: 4, pressure: 0.2 }), pt(10, 10, { width: 8, pressure: 0.9 }), pt(20, 0, { width: 6 }), pt(30, 5, { width: 6 })];
    const s = strokeStyle(stroke(pts, { tool: 14, thickness: 2 }))!;
    expect(s.runs).toEqual([{ from: 0, to: 3, width: 0.8 * 6, opacity: 1 }]);
    expect(s.opacity).toBeCloseTo(0.44, 5);
  });

  test("hostile numbers never give negative, NaN or infinite widths", () => {
    const bad = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e9, 1e300, -0];
    for (let tool = -2; tool < 30; tool++) {
      for (const v of bad) {
        const p = pt(0, 0, { width: v, pressure: v, speed: v, direction: v });
        for (const t of [v, 2]) {
          const s = runShape(penFor(tool), p, t, v);
          expect(Number.isFinite(s.width)).toBe(true);
          expect(s.width).toBeGreaterThanOrEqual(MIN_WIDTH);
          expect(s.opacity).toBeGreaterThanOrEqual(0);
          expect(s.opacity).toBeLessThanOrEqual(1);
          const style = strokeStyle(stroke([p, pt(1, 1, { width: v })], { tool, thickness: t }));
          for (const r of style?.runs ?? []) {
            expect(Number.isFinite(r.width) && r.width > 0).toBe(true);
          }
        }
      }
    }
  });

  test("erasers and empty strokes are not drawn", () => {
    expect(strokeStyle(stroke([pt(0, 0), pt(1, 1)], { tool: 6 }))).toBeNull();
    expect(strokeStyle(stroke([pt(0, 0), pt(1, 1)], { tool: 8 }))).toBeNull();
    expect(strokeStyle(stroke([], { tool: 15 }))).toBeNull();
  });

  test("runs cover the stroke, join end to start, and merge when widths are equal", () => {
    const pts = Array.from({ length: 41 }, (_, i) => pt(i, i, { width: 3, pressure: 0.5 }));
    const even = strokeStyle(stroke(pts))!;
    expect(even.runs).toHaveLength(1);
    expect(even.runs[0]).toMatchObject({ from: 0, to: 40 });
    const ramp = strokeStyle(stroke(pts.map((p, i) => ({ ...p, width: 3 + i * 0.1 }))))!;
    expect(ramp.runs.length).toBeGreaterThan(3);
    expect(ramp.runs[0]!.from).toBe(0);
    expect(ramp.runs[ramp.runs.length - 1]!.to).toBe(40);
    for (let i = 1; i < ramp.runs.length; i++) expect(ramp.runs[i]!.from).toBe(ramp.runs[i - 1]!.to);
  });
});

describe("colours", () => {
  test("palette ids 0–13 (Paper Pro ones included) match the rmc fork's reference PDFs (not device exports)", () => {
    expect(toHex(inkColor(0, undefined))).toBe("#000000");
    expect(toHex(inkColor(6, undefined))).toBe("#4e69c9");
    expect(toHex(inkColor(7, undefined))).toBe("#b33e39");
    expect(toHex(inkColor(10, undefined))).toBe("#a1d87d");
    expect(toHex(inkColor(11, undefined))).toBe("#8bd0e5");
    expect(toHex(inkColor(12, undefined))).toBe("#b782cd");
    expect(toHex(inkColor(13, undefined))).toBe("#f7e851");
    for (let id = 0; id <= 13; id++) expect(toHex(inkColor(id, undefined))).toMatch(/^#[0-9a-f]{6}$/);
  });

  test("ARGB wins over the palette; alpha is kept", () => {
    const c = inkColor(9, 0x73feb200);
    expect(toHex(c)).toBe("#feb200");
    expect(c.a).toBeCloseTo(0x73 / 255, 5);
    expect(fromArgb(0xffffed75)).toEqual({ r: 255, g: 237, b: 117, a: 1 });
  });

  test("unknown ids fall back: black strokes, yellow highlights", () => {
    expect(inkColor(42, undefined)).toEqual({ ...BLACK });
    expect(inkColor(-3, undefined)).toEqual({ ...BLACK });
    expect(inkColor(Number.NaN, undefined)).toEqual({ ...BLACK });
    expect(toHex(highlightColor(42, undefined))).toBe("#ffed75");
    expect(toHex(highlightColor(9, undefined))).toBe("#ffed75");
  });
});
