import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { RmFormatError } from "../../src/rm/errors.ts";
import { LIMITS } from "../../src/rm/limits.ts";
import type { Page, Stroke } from "../../src/rm/model.ts";
import { parseV3V5 } from "../../src/rm/v3v5.ts";
import { describeSamples, sample, SAMPLES_DIR } from "../support/samples.ts";
import { buildV3V5, rmHeader, withI32 } from "./build-v3v5.ts";

function headerVersion(bytes: Uint8Array): number {
  const text = new TextDecoder().decode(bytes.subarray(0, 43));
  const m = /^reMarkable \.lines file, version=(\d) {10}$/.exec(text);
  return m ? Number(m[1]) : -1;
}

function parseFile(path: string, layerNames?: string[]): Page {
  const bytes = new Uint8Array(readFileSync(path));
  const v = headerVersion(bytes);
  if (v !== 3 && v !== 5) throw new Error(`${path} is not v3/v5 (version ${v})`);
  return parseV3V5(bytes, path, v, layerNames);
}

function strokes(page: Page): Stroke[] {
  return page.layers.flatMap((l) => l.children.filter((c): c is Stroke => c.kind === "stroke"));
}

/** Catch the RmFormatError a parse must throw (fails the test on anything else). */
function formatError(fn: () => unknown): RmFormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RmFormatError) return e;
    throw new Error(`expected RmFormatError, got ${String(e)}`);
  }
  throw new Error("expected RmFormatError, parse succeeded");
}

/** Every v3/v5 page in the samples, from folders and from inside zips. */
function allV3V5Samples(): Array<{ name: string; bytes: Uint8Array }> {
  const found: Array<{ name: string; bytes: Uint8Array }> = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) visit(full);
      else if (name.endsWith(".rm")) found.push({ name: full, bytes: new Uint8Array(readFileSync(full)) });
      else if (/\.(zip|rmdoc|rmn)$/.test(name)) {
        for (const [entry, bytes] of Object.entries(unzipSync(new Uint8Array(readFileSync(full))))) {
          if (entry.endsWith(".rm")) found.push({ name: `${full}:${entry}`, bytes });
        }
      }
    }
  };
  visit(SAMPLES_DIR);
  return found.filter((f) => [3, 5].includes(headerVersion(f.bytes)));
}

describeSamples("parseV3V5 on the real samples", () => {
  test("every v3/v5 page in the samples parses to exactly EOF", () => {
    const files = allV3V5Samples();
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const f of files) {
      const page = parseV3V5(f.bytes, f.name, headerVersion(f.bytes) as 3 | 5);
      expect(page.frame).toBe("topleft");
      expect(page.box).toEqual({ x: 0, y: 0, w: 1404, h: 1872 });
      expect(page.device).toBe("rm2");
      expect(page.layers.length).toBeGreaterThan(0);
    }
  });

  test("rmapi v3 page: 55 strokes with old tools 0, 2, 4, 7", () => {
    const page = parseFile(sample("rmapi__encoding_rm_test_v3.rm"));
    expect(page.version).toBe(3);
    expect(page.layers).toHaveLength(1);
    const all = strokes(page);
    expect(all).toHaveLength(55);
    const tools = new Set(all.map((s) => s.tool));
    for (const t of tools) expect([0, 2, 4, 7]).toContain(t);
    expect(all.every((s) => s.startingLength === 0)).toBe(true);
  });

  test("rmapi v5 page: 3 layers, 16 strokes, all thickness 2.0", () => {
    const page = parseFile(sample("rmapi__encoding_rm_test_v5.rm"));
    expect(page.version).toBe(5);
    expect(page.layers.map((l) => l.label)).toEqual(["Layer 1", "Layer 2", "Layer 3"]);
    expect(page.layers.map((l) => l.id)).toEqual(["layer-1", "layer-2", "layer-3"]);
    const all = strokes(page);
    expect(all).toHaveLength(16);
    expect(all.every((s) => s.thickness === 2)).toBe(true);
    expect(new Set(all.map((s) => s.tool))).toEqual(new Set([12, 13, 17]));
  });

  test("rm2pdf 7cbc50c9 (55 bytes): two empty layers", () => {
    const page = parseFile(sample("rm2pdf__testfiles/7cbc50c9-8d68-48cf-8f77-e70f2e87b732.rm"));
    expect(page.layers).toHaveLength(2);
    expect(page.layers.every((l) => l.children.length === 0 && l.visible)).toBe(true);
  });

  test("lucasrla v2_notebook_complex v3 pages: 219/230/1123 strokes, erasers kept", () => {
    const dir = sample("lucasrla-remarks__tests_in/v2_notebook_complex/bce041cf-ce31-4ede-ad11-2e53db0f6c77");
    const count = (id: string) => strokes(parseFile(join(dir, `${id}.rm`))).length;
    expect(count("e411a942-054b-4d32-9be3-e224a800b84e")).toBe(219);
    expect(count("1f1e3cbb-3774-46c3-b94b-0c6086622271")).toBe(230);
    const complex = strokes(parseFile(join(dir, "fcff2a80-6e4c-4b3d-b881-a2814b24104e.rm")));
    expect(complex).toHaveLength(1123);
    const tools = new Set(complex.map((s) => s.tool));
    expect(tools.has(6)).toBe(true);
    expect(tools.has(8)).toBe(true);
    expect(complex.some((s) => Math.abs(s.thickness - 1.824) < 1e-3)).toBe(true);
  });

  test("lines-are-rusty notebook 0.rm: 445 strokes, v5 extra float kept as startingLength", () => {
    const zip = unzipSync(new Uint8Array(readFileSync(sample("lines-are-rusty__test_rm_notebook.zip"))));
    const bytes = zip["b46bbfdd-aeb0-42d7-9c5d-7443132bdfe3/0.rm"];
    if (!bytes) throw new Error("0.rm missing from the zip");
    const all = strokes(parseV3V5(bytes, "0.rm", 5));
    expect(all).toHaveLength(445);
    expect(all.filter((s) => s.startingLength !== 0)).toHaveLength(14);
  });

  test("rm2pdf da7f9a41: the last stroke matches rm2pdf's expectations", () => {
    const page = parseFile(sample("rm2pdf__testfiles/cc8313bb-5fab-4ab5-af39-46e6d4160df3/da7f9a41-c2b2-4cbc-9c1b-5a20b5d54224.rm"), ["Layer 1", "Layer 2 is empty"]);
    expect(page.layers.map((l) => l.label)).toEqual(["Layer 1", "Layer 2 is empty"]);
    const last = strokes(page).at(-1);
    expect(last?.id).toBe("layer-1/73");
    expect(last?.tool).toBe(17);
    expect(last?.color).toBe(0);
    expect(last?.thickness).toBe(2);
    expect(last?.points).toHaveLength(226);
    const p = last?.points.at(-1);
    expect(p?.x).toBeCloseTo(1033.4183, 3);
    expect(p?.y).toBeCloseTo(1429.1265, 3);
    // third float is speed (0…45), fifth the width in screen units, sixth pressure 0…1
    expect(p?.width).toBe(4);
    expect(p?.pressure).toBeGreaterThan(0);
    expect(p?.pressure).toBeLessThanOrEqual(1);
  });
});

describe("parseV3V5 on synthetic pages", () => {
  const pts = [
    [10, 20, 1.5, 0.5, 3, 0.25],
    [11, 21, 2.5, 0.75, 4, 0.5],
  ];

  test("reads strokes, points and ids in file order; v5 extra float is startingLength", () => {
    const bytes = buildV3V5(5, [[{ tool: 15, color: 6, thickness: 2.125, extra: 7.5, points: pts }], [{ tool: 6, points: [] }, { tool: 8 }]]);
    const page = parseV3V5(bytes, "x.rm", 5, ["Ink"]);
    expect(page.layers.map((l) => [l.id, l.label])).toEqual([
      ["layer-1", "Ink"],
      ["layer-2", "Layer 2"],
    ]);
    const [first, eraser, area] = strokes(page);
    expect(first).toEqual({
      kind: "stroke",
      id: "layer-1/0",
      tool: 15,
      color: 6,
      thickness: 2.125,
      startingLength: 7.5,
      points: [
        { x: 10, y: 20, speed: 1.5, direction: 0.5, width: 3, pressure: 0.25 },
        { x: 11, y: 21, speed: 2.5, direction: 0.75, width: 4, pressure: 0.5 },
      ],
    });
    expect([eraser?.id, eraser?.tool, area?.id, area?.tool]).toEqual(["layer-2/0", 6, "layer-2/1", 8]);
  });

  test("v3 has no extra float per stroke", () => {
    const bytes = buildV3V5(3, [[{ tool: 2, points: pts }]]);
    expect(bytes.length).toBe(43 + 4 + 4 + 20 + 2 * 24);
    expect(strokes(parseV3V5(bytes, "x.rm", 3))[0]?.points).toHaveLength(2);
  });

  test("empty layer names fall back to Layer N", () => {
    const page = parseV3V5(buildV3V5(5, [[], []]), "x.rm", 5, ["", "Second"]);
    expect(page.layers.map((l) => l.label)).toEqual(["Layer 1", "Second"]);
  });

  test("header only: truncated at offset 43", () => {
    const e = formatError(() => parseV3V5(rmHeader(5), "h.rm", 5));
    expect([e.code, e.file, e.offset]).toEqual(["truncated", "h.rm", 43]);
  });

  test("trailing bytes after the last layer: corrupt at the first extra byte", () => {
    const good = buildV3V5(5, [[{ points: pts }]]);
    const bytes = new Uint8Array([...good, 0, 0]);
    const e = formatError(() => parseV3V5(bytes, "t.rm", 5));
    expect([e.code, e.file, e.offset]).toEqual(["corrupt", "t.rm", good.length]);
    expect(e.expected).toContain("end of file");
  });

  test("negative counts are corrupt at the count's offset", () => {
    const good = buildV3V5(5, [[{ points: pts }]]);
    const layer = formatError(() => parseV3V5(withI32(good, 43, -1), "n.rm", 5));
    expect([layer.code, layer.offset]).toEqual(["corrupt", 43]);
    const stroke = formatError(() => parseV3V5(withI32(good, 47, -5), "n.rm", 5));
    expect([stroke.code, stroke.offset]).toEqual(["corrupt", 47]);
    const points = formatError(() => parseV3V5(withI32(good, 71, -1), "n.rm", 5));
    expect([points.code, points.offset]).toEqual(["corrupt", 71]);
  });

  test("layer count over LIMITS.maxLayers is too_large", () => {
    const e = formatError(() => parseV3V5(withI32(buildV3V5(5, []), 43, LIMITS.maxLayers + 1), "l.rm", 5));
    expect([e.code, e.offset]).toEqual(["too_large", 43]);
  });

  test("huge counts fail at the count, before any allocation", () => {
    // The error names the count's own offset: the parser compared the count with the bytes left
    // before allocating for it (a 2^31 allocation would fail differently, or not at all).
    const good = buildV3V5(5, [[{ points: pts }]]);
    for (const [offset, what] of [
      [43, "layers"],
      [47, "strokes"],
      [71, "points"],
    ] as const) {
      const count = offset === 43 ? LIMITS.maxLayers : 2 ** 31 - 1;
      const e = formatError(() => parseV3V5(withI32(good, offset, count), "big.rm", 5));
      expect([e.code, e.file, e.offset]).toEqual(["truncated", "big.rm", offset]);
      expect(e.expected).toContain(what);
    }
  });

  test("a point count one too large: truncated at the count", () => {
    const good = buildV3V5(3, [[{ points: pts }]]);
    const e = formatError(() => parseV3V5(withI32(good, 67, 3), "p.rm", 3));
    expect([e.code, e.offset]).toEqual(["truncated", 67]);
  });

  test("every truncation of a real-shaped page throws a typed error naming the file", () => {
    const bytes = buildV3V5(5, [[{ points: pts }, { points: pts }], [{ points: pts }]]);
    for (let cut = 43; cut < bytes.length; cut++) {
      const e = formatError(() => parseV3V5(bytes.subarray(0, cut), "cut.rm", 5));
      expect(e.file).toBe("cut.rm");
      expect(e.offset).toBeGreaterThanOrEqual(43);
      expect(e.offset).toBeLessThanOrEqual(cut);
    }
  });

  test("random corruption never escapes as anything but RmFormatError", () => {
    const base = buildV3V5(5, [[{ points: pts }, { points: pts }], [{ points: pts }]]);
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const bytes = base.slice();
      for (let k = 0; k < 3; k++) bytes[43 + Math.floor(rand() * (bytes.length - 43))] = Math.floor(rand() * 256);
      try {
        parseV3V5(bytes, "fuzz.rm", 5);
      } catch (e) {
        expect(e).toBeInstanceOf(RmFormatError);
      }
    }
  });

  test("works on a subarray view with a byteOffset", () => {
    const inner = buildV3V5(5, [[{ points: pts }]]);
    const outer = new Uint8Array(inner.length + 7);
    outer.set(inner, 7);
    expect(strokes(parseV3V5(outer.subarray(7), "v.rm", 5))[0]?.points[1]?.x).toBe(11);
  });
});
