// Edge cases of the v6 reader on synthetic pages: newer-firmware fields and blocks are skipped by
// length, CRDT ties and cycles are resolved deterministically, hostile structures end in typed errors.
import { describe, expect, test } from "bun:test";
import { RmFormatError } from "../../src/rm/errors.ts";
import type { Stroke } from "../../src/rm/model.ts";
import { parsePage, rmVersion } from "../../src/rm/page.ts";
import { crdtOrder } from "../../src/rm/v6/crdt.ts";
import { b, block, groupItem, header, lineItem, page, point14, rootText, sceneTree } from "../support/v6-builder.ts";

const LAYER = [0, 11] as [number, number];
const layerBlocks = () => [sceneTree(0, 11), groupItem([0, 1], [0, 13], [0, 0], [0, 0], LAYER)];
const strokesOf = (bytes: Uint8Array) => parsePage(bytes, "t.rm").layers.flatMap((l) => l.children) as Stroke[];

describe("header", () => {
  test("versions 3, 5, 6 are recognised; others rejected with a typed error", () => {
    expect(rmVersion(header(6).bytes(), "a")).toBe(6);
    expect(() => rmVersion(header(7).bytes(), "a.rm")).toThrow(/a\.rm at offset 32: expected version 3, 5 or 6/);
    expect(() => parsePage(new TextEncoder().encode("reMarkable lines with selections and layers".padEnd(50)), "old.lines")).toThrow(/pre-1.6/);
    expect(() => parsePage(new Uint8Array(10), "short.rm")).toThrow(RmFormatError);
  });
  test("a header-only v6 file is an empty page", () => {
    const p = parsePage(header(6).bytes(), "empty.rm");
    expect(p.layers).toEqual([]);
    expect(p.box).toEqual({ x: -702, y: 0, w: 1404, h: 1872 });
  });
});

describe("forward compatibility", () => {
  test("unknown trailing fields in a line value are skipped by length", () => {
    const extra = b().byte4(8, 0xffffed75).id(9, 1, 5).sub(11, b().raw([1, 2, 3, 4, 5])).byte1(12, 1);
    const s = strokesOf(page(...layerBlocks(), lineItem(LAYER, [1, 20], [0, 0], [0, 0], { tool: 18, color: 9, extra })));
    expect(s).toHaveLength(1);
    expect(s[0]!.argb).toBe(0xffffed75);
    expect(s[0]!.points).toHaveLength(2);
  });
  test("unknown block types are skipped and counted", () => {
    const p = parsePage(page(block(0x0b, b().raw([9, 9, 9])), ...layerBlocks(), block(0x42, b().byte4(1, 1)), lineItem(LAYER, [1, 20], [0, 0], [0, 0])), "t.rm");
    expect(p.stats.unknownBlocks).toBe(2);
    expect(p.layers[0]!.children).toHaveLength(1);
  });
  test("Paper Pro paper size from SceneInfo sets device and page box", () => {
    const info = block(0x0d, b().sub(1, b().id(1, 0, 0).id(2, 0, 0)).sub(5, b().u32(1620).u32(2160)).sub(7, b().f64(1620).f64(2160)), 1);
    const p = parsePage(page(info), "pp.rm");
    expect(p.device).toBe("rmpp");
    expect(p.box).toEqual({ x: -810, y: 0, w: 1620, h: 2160 });
  });
  test("24-byte points for block version 1, 14-byte for version 2", () => {
    const v1pts = b().f32(1).f32(2).f32(3).f32(0.5).f32(4.5).f32(0.25);
    const env = b().id(1, ...LAYER).id(2, 1, 30).id(3, 0, 0).id(4, 0, 0).byte4(5, 0);
    const value = b().u8(3).byte4(1, 17).byte4(2, 0).tag(3, 8).f64(1).tag(4, 4).f32(0).sub(5, v1pts).id(6, 0, 1);
    const s = strokesOf(page(...layerBlocks(), block(0x05, env.sub(6, value), 1)));
    expect(s[0]!.points[0]).toEqual({ x: 1, y: 2, speed: 3, direction: 0.5, width: 4.5, pressure: 0.25 });
    const s2 = strokesOf(page(...layerBlocks(), lineItem(LAYER, [1, 20], [0, 0], [0, 0], { points: [point14(5, 6, 120, 255)] })));
    expect(s2[0]!.points[0]!.width).toBe(30);
    expect(s2[0]!.points[0]!.pressure).toBe(1);
  });
});

describe("CRDT order", () => {
  const item = (a: number, c: number, left = "0:0", right = "0:0") => ({ a, c, key: `${a}:${c}`, leftKey: left, rightKey: right });
  test("left < item < right, concurrent inserts: higher author first, then lower counter", () => {
    const A = item(1, 10);
    const Z = item(1, 11, "1:10", "0:0");
    const x1 = item(1, 20, "1:10", "1:11");
    const y2 = item(2, 5, "1:10", "1:11");
    const y2b = item(2, 3, "1:10", "1:11");
    expect(crdtOrder([Z, x1, A, y2, y2b]).map((i) => i.key)).toEqual(["1:10", "2:3", "2:5", "1:20", "1:11"]);
  });
  test("a cycle in a corrupt file falls back to file order and loses nothing", () => {
    const p = item(1, 1, "1:2", "0:0");
    const q = item(1, 2, "1:1", "0:0");
    expect(crdtOrder([p, q]).map((i) => i.key).sort()).toEqual(["1:1", "1:2"]);
  });
  test("strokes come out in CRDT order, not file order, deleted ones anchor but are dropped", () => {
    const s = strokesOf(
      page(
        ...layerBlocks(),
        lineItem(LAYER, [1, 22], [1, 21], [0, 0], { tool: 17 }),
        lineItem(LAYER, [1, 21], [1, 20], [0, 0], { deleted: 5 }),
        lineItem(LAYER, [1, 20], [0, 0], [0, 0], { tool: 15 }),
      ),
    );
    expect(s.map((x) => x.id)).toEqual(["1:20", "1:22"]);
  });
});

describe("typed text", () => {
  test("the two-author tie-break gives A12_Z on a synthetic page too", () => {
    const t = rootText([
      { id: [1, 10], left: [0, 0], right: [0, 0], text: "AZ" },
      { id: [1, 20], left: [1, 10], right: [1, 11], text: "_" },
      { id: [2, 5], left: [1, 10], right: [1, 11], text: "12" },
    ], [{ char: [0, 0], style: 2 }]);
    const p = parsePage(page(t), "t.rm");
    expect(p.text!.paragraphs.map((x) => [x.style, x.spans.map((s) => s.text).join("")])).toEqual([[2, "A12_Z"]]);
  });
  test("format codes switch bold/italic, newline styles key the next paragraph, deleted runs vanish", () => {
    const t = rootText([
      { id: [1, 1], left: [0, 0], right: [0, 0], text: "ab\ncd" },
      { id: [1, 10], left: [1, 1], right: [1, 2], format: 1 }, // bold on between a and b
      { id: [1, 20], left: [1, 5], right: [0, 0], deleted: 3 },
    ], [{ char: [1, 3], style: 4 }]);
    const p = parsePage(page(t), "t.rm");
    expect(p.text!.paragraphs).toEqual([
      { style: 1, startId: "0:0", spans: [{ text: "a", bold: false, italic: false }, { text: "b", bold: true, italic: false }] },
      { style: 4, startId: "1:3", spans: [{ text: "cd", bold: true, italic: false }] },
    ]);
    expect(p.text!.anchors.get("1:4")).toBe(1);
    expect(p.text!.anchors.get("1:3")).toBe(0);
    // code-point offsets inside the paragraph: a b \n | c d (deleted) — format and deleted slots take the next offset
    expect(["1:1", "1:10", "1:2", "1:3", "1:4", "1:5", "1:20"].map((k) => p.text!.anchorOffsets.get(k))).toEqual([0, 1, 1, 2, 0, 1, 2]);
  });
  test("a huge deleted run is refused before it is expanded", () => {
    const t = rootText([{ id: [1, 1], left: [0, 0], right: [0, 0], deleted: 0xffffffff }]);
    expect(() => parsePage(page(t), "bomb.rm")).toThrow(/bomb\.rm at offset \d+: expected at most 500000 text characters/);
    const lenient = parsePage(page(t, ...layerBlocks()), "bomb.rm", { lenient: true });
    expect(lenient.text).toBeUndefined();
    expect(lenient.warnings?.[0]).toContain("bomb.rm");
  });
});

describe("hostile structure", () => {
  test("a block length past the end of file is a typed truncation error naming the offset", () => {
    const bytes = page(...layerBlocks(), lineItem(LAYER, [1, 20], [0, 0], [0, 0]));
    const cut = bytes.subarray(0, bytes.length - 5);
    try {
      parsePage(cut, "cut.rm");
      throw new Error("should fail");
    } catch (e) {
      expect(e).toBeInstanceOf(RmFormatError);
      const err = e as RmFormatError;
      expect(err.code).toBe("truncated");
      expect(err.file).toBe("cut.rm");
      expect(err.offset).toBeGreaterThan(43);
    }
    // lenient keeps what was readable before the cut
    expect(parsePage(cut, "cut.rm", { lenient: true }).layers).toHaveLength(1);
  });
  test("points that are not a whole number of records are rejected", () => {
    const env = b().id(1, ...LAYER).id(2, 1, 30).id(3, 0, 0).id(4, 0, 0).byte4(5, 0);
    const value = b().u8(3).byte4(1, 17).byte4(2, 0).tag(3, 8).f64(1).tag(4, 4).f32(0).sub(5, b().raw(new Array(15).fill(0))).id(6, 0, 1);
    expect(() => parsePage(page(...layerBlocks(), block(0x05, env.sub(6, value))), "p.rm")).toThrow(/expected points of 14 bytes each/);
  });
  test("groups that contain each other (a cycle) do not recurse forever", () => {
    const p = parsePage(
      page(sceneTree(0, 11), sceneTree(0, 12, 0, 11), groupItem([0, 1], [0, 13], [0, 0], [0, 0], [0, 11]), groupItem([0, 11], [0, 14], [0, 0], [0, 0], [0, 12]), groupItem([0, 12], [0, 15], [0, 0], [0, 0], [0, 11])),
      "cycle.rm",
    );
    expect(p.layers).toHaveLength(1);
    expect((p.layers[0]!.children[0] as { children: unknown[] }).children).toHaveLength(0);
  });
  test("a duplicated item id keeps the first", () => {
    const s = strokesOf(page(...layerBlocks(), lineItem(LAYER, [1, 20], [0, 0], [0, 0], { tool: 15 }), lineItem(LAYER, [1, 20], [0, 0], [0, 0], { tool: 17 })));
    expect(s.map((x) => x.tool)).toEqual([15]);
  });
});
