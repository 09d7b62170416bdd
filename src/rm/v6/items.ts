// Scene items (block types 0x03 glyph, 0x04 group, 0x05 line, 0x06 text, 0x08 tombstone):
// the CRDT envelope (rm-format.md §5.5) and the stroke and highlight values (§5.6, §5.9).

import type { ByteReader } from "../bytes.ts";
import type { Highlight, Point, Rect, Stroke } from "../model.ts";
import {
  type CrdtId,
  TagType,
  idField,
  idKey,
  inLength,
  readFields,
  readRawId,
  readStringBody,
  tryReadTag,
  u32Field,
} from "./tagged.ts";

export interface RawItem {
  parent: CrdtId;
  id: CrdtId;
  left: CrdtId;
  right: CrdtId;
  deleted: number;
  /** Live value; undefined for deleted items and tombstones. */
  value?: Stroke | Highlight | { kind: "groupRef"; node: CrdtId };
  /** Bytes of unknown trailing fields skipped inside the value. */
  skipped: number;
}

const TWO_PI = Math.PI * 2;

export function readItem(r: ByteReader, blockType: number, version: number): RawItem {
  const parent = idField(r, 1, "item parent id");
  const id = idField(r, 2, "item id");
  const left = idField(r, 3, "item left id");
  const right = idField(r, 4, "item right id");
  const deleted = u32Field(r, 5, "item deleted length");
  const item: RawItem = { parent, id, left, right, deleted, skipped: 0 };
  if (r.remaining <= 0 || blockType === 0x08) return item;
  const t = tryReadTag(r);
  if (!t || t.index !== 6 || t.type !== TagType.Length4) return item; // newer envelope field: ignore the rest
  inLength(r, "item value", (v) => {
    const itemType = v.u8("item value type");
    const key = idKey(id);
    if (blockType === 0x05 && itemType === 3) item.value = readLine(v, version, key);
    else if (blockType === 0x03 && itemType === 1) item.value = readGlyph(v, key);
    else if (blockType === 0x04 && itemType === 2) item.value = { kind: "groupRef", node: idField(v, 2, "group node id") };
    item.skipped = v.remaining; // unknown trailing fields or unknown item types
  });
  return item;
}

function readLine(r: ByteReader, version: number, id: string): Stroke {
  const s: Stroke = { kind: "stroke", id, tool: 0, color: 0, thickness: 1, startingLength: 0, points: [] };
  let pointsSeen = false;
  // unknown fields, and whatever cannot be read after the known ones, are skipped by length
  readFields(r, (t) => {
    if (t.index === 1 && t.type === TagType.Byte4) s.tool = r.u32("line tool");
    else if (t.index === 2 && t.type === TagType.Byte4) s.color = r.u32("line colour");
    else if (t.index === 3 && t.type === TagType.Byte8) s.thickness = r.f64("line thickness");
    else if (t.index === 4 && t.type === TagType.Byte4) s.startingLength = r.f32("line starting length");
    else if (t.index === 5 && t.type === TagType.Length4) {
      s.points = inLength(r, "line points", (p) => readPoints(p, version));
      pointsSeen = true;
    } else if (t.index === 8 && t.type === TagType.Byte4) s.argb = r.u32("line ARGB colour");
    else return false;
    return true;
  });
  if (!pointsSeen) r.fail("line points (field 5)", "stroke without points");
  return s;
}

function readPoints(r: ByteReader, version: number): Point[] {
  const size = version >= 2 ? 14 : 24;
  const len = r.remaining;
  if (len % size !== 0) r.fail(`points of ${size} bytes each (block version ${version})`, `${len} bytes is not a multiple`);
  const n = len / size;
  const pts: Point[] = [];
  const view = r.view;
  let o = r.pos;
  if (size === 14) {
    for (let i = 0; i < n; i++, o += 14) {
      pts.push({
        x: view.getFloat32(o, true),
        y: view.getFloat32(o + 4, true),
        speed: view.getUint16(o + 8, true) / 4,
        width: view.getUint16(o + 10, true) / 4,
        direction: (view.getUint8(o + 12) * TWO_PI) / 255,
        pressure: view.getUint8(o + 13) / 255,
      });
    }
  } else {
    for (let i = 0; i < n; i++, o += 24) {
      pts.push({
        x: view.getFloat32(o, true),
        y: view.getFloat32(o + 4, true),
        speed: view.getFloat32(o + 8, true),
        direction: view.getFloat32(o + 12, true),
        width: view.getFloat32(o + 16, true),
        pressure: view.getFloat32(o + 20, true),
      });
    }
  }
  r.pos += len;
  return pts;
}

function readGlyph(r: ByteReader, id: string): Highlight {
  const h: Highlight = { kind: "highlight", id, color: 3, text: "", rects: [] };
  readFields(r, (t) => {
    if (t.index === 2 && t.type === TagType.Byte4) h.start = r.u32("glyph start");
    else if (t.index === 3 && t.type === TagType.Byte4) h.length = r.u32("glyph length");
    else if (t.index === 4 && t.type === TagType.Byte4) h.color = r.u32("glyph colour");
    else if (t.index === 5 && t.type === TagType.Length4) h.text = inLength(r, "glyph text", (s) => readStringBody(s, "glyph text").text);
    else if (t.index === 6 && t.type === TagType.Length4) h.rects = inLength(r, "glyph rectangles", readRects);
    else if (t.index === 10 && t.type === TagType.Byte4) h.argb = r.u32("glyph ARGB colour");
    else return false;
    return true;
  });
  if (h.length === undefined && h.start !== undefined) h.length = [...h.text].length;
  return h;
}

function readRects(r: ByteReader): Rect[] {
  const n = r.varuint("rectangle count");
  if (n * 32 > r.remaining) r.fail(`${n} rectangles of 32 bytes`, `only ${r.remaining} bytes left`);
  const out: Rect[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ x: r.f64("rect x"), y: r.f64("rect y"), w: r.f64("rect w"), h: r.f64("rect h") });
  }
  return out;
}

export { readRawId };
