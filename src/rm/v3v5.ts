// Parser for `.rm` pages of versions 3 and 5 (firmware 1.6 – 2.x), rm-format.md §4.
// The body is a flat sequence of fixed-size records: layers → strokes → 24-byte points.
// Every count is checked against the bytes that remain BEFORE anything is allocated, so a
// hostile count fails at once with a typed error instead of exhausting memory.

import { RmFormatError } from "./errors.ts";
import { LIMITS } from "./limits.ts";
import type { Group, Page, Point, Stroke } from "./model.ts";

const BODY_START = 43;
const POINT_BYTES = 24;
/** tool, colour, unknown, thickness (+ v5 extra float), pointCount. */
const STROKE_HEADER_BYTES = { 3: 20, 5: 24 } as const;
const PAGE_BOX = { x: 0, y: 0, w: 1404, h: 1872 } as const;

type Version = 3 | 5;

/** Cursor shared by the small read functions below; kept as plain fields for speed. */
interface Cursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly file: string;
  readonly version: Version;
  pos: number;
}

/** Parse the body of a v3/v5 page; the caller has already checked the 43-byte header. */
export function parseV3V5(bytes: Uint8Array, file: string, version: Version, layerNames?: string[]): Page {
  if (bytes.length > LIMITS.maxRmBytes) {
    throw new RmFormatError("too_large", file, 0, `a page of at most ${LIMITS.maxRmBytes} bytes`, `${bytes.length} bytes`);
  }
  const cur: Cursor = {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    file,
    version,
    pos: BODY_START,
  };
  const layerCount = readLayerCount(cur);
  const layers: Group[] = [];
  for (let i = 0; i < layerCount; i++) layers.push(readLayer(cur, i, layerNames?.[i]));
  expectEndOfFile(cur);
  return {
    version,
    frame: "topleft",
    box: { ...PAGE_BOX },
    device: "rm2",
    layers,
    stats: { blocks: 0, unknownBlocks: 0, deletedItems: 0, skippedBytes: 0 },
  };
}

function readLayerCount(cur: Cursor): number {
  const at = cur.pos;
  const count = readI32(cur, "layer count");
  if (count < 0) throw corrupt(cur, at, "a layer count ≥ 0", `got ${count}`);
  if (count > LIMITS.maxLayers) {
    throw new RmFormatError("too_large", cur.file, at, `at most ${LIMITS.maxLayers} layers`, `got ${count}`);
  }
  requireRecords(cur, at, count, 4, "layers");
  return count;
}

function readLayer(cur: Cursor, index: number, name: string | undefined): Group {
  const id = `layer-${index + 1}`;
  const at = cur.pos;
  const strokeCount = readI32(cur, `stroke count of layer ${index + 1}`);
  if (strokeCount < 0) throw corrupt(cur, at, "a stroke count ≥ 0", `got ${strokeCount}`);
  requireRecords(cur, at, strokeCount, STROKE_HEADER_BYTES[cur.version], "strokes");
  const children: Stroke[] = [];
  for (let i = 0; i < strokeCount; i++) children.push(readStroke(cur, `${id}/${i}`));
  return { kind: "group", id, label: name || `Layer ${index + 1}`, visible: true, children };
}

function readStroke(cur: Cursor, id: string): Stroke {
  // The stroke header was covered by requireRecords, but a previous stroke's points may
  // have consumed the bytes another stroke was counted with, so check again here.
  requireBytes(cur, cur.pos, STROKE_HEADER_BYTES[cur.version], "a stroke header");
  const { view } = cur;
  const tool = view.getInt32(cur.pos, true);
  const color = view.getInt32(cur.pos + 4, true);
  // cur.pos + 8: unknown i32 written by the selection tool; not needed for rendering.
  const thickness = view.getFloat32(cur.pos + 12, true);
  cur.pos += 16;
  let startingLength = 0;
  if (cur.version === 5) {
    startingLength = view.getFloat32(cur.pos, true);
    cur.pos += 4;
  }
  const points = readPoints(cur);
  return { kind: "stroke", id, tool, color, thickness, startingLength, points };
}

function readPoints(cur: Cursor): Point[] {
  const at = cur.pos;
  const count = cur.view.getInt32(at, true);
  cur.pos += 4;
  if (count < 0) throw corrupt(cur, at, "a point count ≥ 0", `got ${count}`);
  requireRecords(cur, at, count, POINT_BYTES, "points");
  const { view } = cur;
  const points: Point[] = [];
  let p = cur.pos;
  for (let i = 0; i < count; i++, p += POINT_BYTES) {
    points.push({
      x: view.getFloat32(p, true),
      y: view.getFloat32(p + 4, true),
      speed: view.getFloat32(p + 8, true),
      direction: view.getFloat32(p + 12, true),
      width: view.getFloat32(p + 16, true),
      pressure: view.getFloat32(p + 20, true),
    });
  }
  cur.pos = p;
  return points;
}

function readI32(cur: Cursor, what: string): number {
  requireBytes(cur, cur.pos, 4, what);
  const v = cur.view.getInt32(cur.pos, true);
  cur.pos += 4;
  return v;
}

/** `count` records of `size` bytes must fit in what is left after the count field. */
function requireRecords(cur: Cursor, countAt: number, count: number, size: number, what: string): void {
  const left = cur.bytes.length - cur.pos;
  if (count * size <= left) return;
  throw new RmFormatError(
    "truncated",
    cur.file,
    countAt,
    `${count} ${what} (${count * size} bytes)`,
    `only ${left} bytes left in file`,
  );
}

function requireBytes(cur: Cursor, at: number, n: number, what: string): void {
  const left = cur.bytes.length - at;
  if (n <= left) return;
  throw new RmFormatError("truncated", cur.file, at, what, `needs ${n} bytes, ${Math.max(left, 0)} left in file`);
}

function expectEndOfFile(cur: Cursor): void {
  const extra = cur.bytes.length - cur.pos;
  if (extra === 0) return;
  throw corrupt(cur, cur.pos, "end of file after the last layer", `${extra} trailing bytes`);
}

function corrupt(cur: Cursor, at: number, expected: string, detail: string): RmFormatError {
  return new RmFormatError("corrupt", cur.file, at, expected, detail);
}
