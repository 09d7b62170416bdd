// Forward compatibility (issue 12 item 6): newer firmware appends fields to existing v6 blocks.
// Real pages are rewritten with unknown trailing fields of every tag type — plus a value no reader
// can decode (a tag varint longer than 8 bytes) — at the end of every block and of every line and
// glyph value. Everything the page had must survive: paper size, typed text, anchors, strokes,
// highlights; and the SVG must be byte-identical to the unextended page's.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Group, Page } from "../../src/rm/model.ts";
import { parsePage } from "../../src/rm/page.ts";
import { renderSvg } from "../../src/render/svg.ts";
import { describeSamples, sample } from "../support/samples.ts";

const HEADER = 43;

function varuint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const tag = (index: number, type: number) => varuint(index * 16 + type);

/** Unknown fields 20–24, one of each tag type, then an undecodable tag (a 10-byte varint). */
const TAIL = [
  ...tag(20, 0x1), 0x01,
  ...tag(21, 0x4), 1, 2, 3, 4,
  ...tag(22, 0x8), 1, 2, 3, 4, 5, 6, 7, 8,
  ...tag(23, 0xc), ...u32(3), 9, 9, 9,
  ...tag(24, 0xf), 0x02, ...varuint(300),
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
];

function readVaruint(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const x = b[pos++]!;
    v += (x & 0x7f) * mul;
    if ((x & 0x80) === 0) return [v, pos];
    mul *= 128;
  }
}

/** Item blocks (glyph 0x03, line 0x05): the value sub-block (field 6) gets the tail too. */
function extendItemValue(body: Uint8Array): number[] {
  let p = 0;
  for (let i = 0; i < 4; i++) {
    p += 1; // ID tag
    p += 1; // author byte
    p = readVaruint(body, p)[1];
  }
  p += 5; // 0x54 + u32 deleted length
  if (p >= body.length || body[p] !== 0x6c) return [...body];
  const len = new DataView(body.buffer, body.byteOffset + p + 1, 4).getUint32(0, true);
  const value = body.subarray(p + 5, p + 5 + len);
  return [...body.subarray(0, p), 0x6c, ...u32(len + TAIL.length), ...value, ...TAIL, ...body.subarray(p + 5 + len)];
}

function extendPage(bytes: Uint8Array): { bytes: Uint8Array; blocks: number } {
  const out: number[] = [...bytes.subarray(0, HEADER)];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = HEADER;
  let blocks = 0;
  while (pos + 8 <= bytes.length) {
    const len = view.getUint32(pos, true);
    const head = [...bytes.subarray(pos + 4, pos + 8)];
    const type = head[3]!;
    let body = [...bytes.subarray(pos + 8, pos + 8 + len)];
    if (type === 0x03 || type === 0x05) body = extendItemValue(bytes.subarray(pos + 8, pos + 8 + len));
    body.push(...TAIL);
    out.push(...u32(body.length), ...head, ...body);
    pos += 8 + len;
    blocks++;
  }
  return { bytes: new Uint8Array(out), blocks };
}

function anchors(page: Page): string[] {
  const out: string[] = [];
  const walk = (g: Group) => {
    if (g.anchor) out.push(`${g.id}:${JSON.stringify(g.anchor)}`);
    for (const c of g.children) if (c.kind === "group") walk(c);
  };
  page.layers.forEach(walk);
  return out;
}

const PAGES = [
  "rmscene__Color_and_tool_v3.14.4.rm", // Paper Pro: SceneInfo paper size, glyph highlights, ARGB strokes
  "rmscene__With_SceneInfo_Block.rm", // SceneInfo, keyboard text
  "rmscene__Normal_A_stroke_2_layers_v3.3.2.rm", // inline formats, paragraph styles, two layers
  "rmc__keyboard-checkboxes-and-bullets.rm", // Paper Pro text, char-anchored group
  "rmc__text_and_strokes.rm", // anchored groups around text
  "rmscene__Wikipedia_highlighted_p1.rm", // glyph ranges
  "scrybble-rmc__text.rm", // RootText field 5
];

describeSamples("v6 blocks extended with unknown trailing fields", () => {
  for (const name of PAGES) {
    test(`${name}: paper size, text, anchors and the SVG survive`, () => {
      const original = new Uint8Array(readFileSync(sample(name)));
      const { bytes, blocks } = extendPage(original);
      expect(blocks).toBeGreaterThan(3);
      const before = parsePage(original, name);
      // Strict mode: a tail is not an error at all.
      const after = parsePage(bytes, name);
      expect(after.warnings).toBeUndefined();
      expect(after.box).toEqual(before.box);
      expect(after.device).toBe(before.device);
      expect(after.text).toEqual(before.text);
      expect(anchors(after)).toEqual(anchors(before));
      expect(after.layers).toEqual(before.layers);
      expect(after.stats.blocks).toBe(before.stats.blocks);
      expect(after.stats.skippedBytes).toBeGreaterThan(before.stats.skippedBytes);
      expect(renderSvg(after)).toBe(renderSvg(before));
    });
  }

  test("the pages cover paper size, typed text and anchors", () => {
    const facts = PAGES.map((n) => parsePage(new Uint8Array(readFileSync(sample(n))), n));
    expect(facts.some((p) => p.device === "rmpp")).toBe(true);
    expect(facts.some((p) => (p.text?.paragraphs.length ?? 0) > 0)).toBe(true);
    expect(facts.some((p) => anchors(p).length > 0)).toBe(true);
  });
});
