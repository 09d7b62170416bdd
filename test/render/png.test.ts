import { describe, expect, test } from "bun:test";
import { ParagraphStyle } from "../../src/rm/model.ts";
import { renderPng } from "../../src/render/png.ts";
import { describeSamples } from "../support/samples.ts";
import { layer, loadSample, page, para, pt, stroke } from "./fixtures.ts";
import { decodePng } from "./visual-support.ts";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function ihdr(png: Uint8Array): { width: number; height: number; colorType: number } {
  expect([...png.subarray(0, 8)]).toEqual(SIGNATURE);
  expect(new TextDecoder().decode(png.subarray(12, 16))).toBe("IHDR");
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20), colorType: png[25]! };
}

const portrait = page([layer([stroke([pt(-300, 300, { width: 6 }), pt(300, 1500, { width: 6 })], { color: 7 })])]);

describe("renderPng", () => {
  test("PNG signature, IHDR size = requested long edge (portrait and landscape)", async () => {
    const a = ihdr(await renderPng(portrait));
    expect(a.height).toBe(1568);
    expect(a.width).toBe(Math.round((1568 * 1404) / 1872));
    const wide = page([layer([stroke([pt(-2000, 100), pt(2000, 200)], { tool: 17 })])]);
    const b = ihdr(await renderPng(wide, { longEdge: 800 }));
    expect(b.width).toBe(800);
    expect(b.height).toBeLessThan(800);
  });

  test("anti-aliased, white background, ink where the stroke is", async () => {
    const img = decodePng(await renderPng(portrait, { longEdge: 400 }));
    let dark = 0;
    let partial = 0;
    for (const v of img.data) {
      if (v < 0.5) dark++;
      else if (v < 0.95) partial++; // edge pixels between the ink (~0.36 for red) and white
    }
    expect(img.data[0]).toBeCloseTo(1, 5); // white corner
    expect(dark).toBeGreaterThan(50);
    expect(partial).toBeGreaterThan(100); // anti-aliased edges
  });

  test("grayscale and strokes-only options", async () => {
    const withText = page([layer([stroke([pt(0, 900), pt(10, 910)])])], {
      text: { posX: -468, posY: 234, width: 936, paragraphs: [para("Heading text", ParagraphStyle.HEADING)], anchors: new Map(), anchorOffsets: new Map() },
    });
    const full = decodePng(await renderPng(withText, { longEdge: 400 }));
    const strokesOnly = decodePng(await renderPng(withText, { longEdge: 400, text: false }));
    const inkIn = (g: typeof full, y0: number, y1: number) => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = 0; x < g.width; x++) if (g.data[y * g.width + x]! < 0.5) n++;
      return n;
    };
    // Heading lives around y 234..300 units = rows ~50..65 at 400 px for 1872 units.
    const rows: [number, number] = [Math.floor((230 * 400) / 1872), Math.ceil((300 * 400) / 1872)];
    expect(inkIn(strokesOnly, ...rows)).toBe(0);
    // Text needs a system font; when one exists, the full render has ink there.
    if (inkIn(full, ...rows) === 0) console.warn("[png] no system font found: typed text not drawn in PNGs");
    const gray = await renderPng(portrait, { longEdge: 200, grayscale: true, background: "white" });
    expect(ihdr(gray).height).toBe(200);
  });

  test("transparent background when asked", async () => {
    const png = await renderPng(portrait, { longEdge: 100, background: null });
    expect(ihdr(png).colorType).toBe(6); // RGBA
  });
});

describeSamples("renderPng on samples", () => {
  test("Paper Pro colours page decodes at 1568 px", async () => {
    const png = await renderPng(loadSample("scrybble-rmc__colours.rm"), { longEdge: 1568, grayscale: true, text: false });
    const { width, height } = ihdr(png);
    expect(Math.max(width, height)).toBe(1568);
    expect(decodePng(png).width).toBe(width);
  });
});
