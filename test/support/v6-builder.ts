// Builds synthetic v6 pages byte by byte for tests of edge cases the real samples do not cover
// (unknown fields and blocks, cycles, hostile lengths). Test-only.

export class Bytes {
  parts: number[] = [];
  u8(v: number) { this.parts.push(v & 255); return this; }
  u16(v: number) { this.u8(v).u8(v >> 8); return this; }
  u32(v: number) { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); this.parts.push(...b); return this; }
  f32(v: number) { const b = Buffer.alloc(4); b.writeFloatLE(v); this.parts.push(...b); return this; }
  f64(v: number) { const b = Buffer.alloc(8); b.writeDoubleLE(v); this.parts.push(...b); return this; }
  varuint(v: number) { do { let b = v % 128; v = Math.floor(v / 128); if (v > 0) b |= 0x80; this.u8(b); } while (v > 0); return this; }
  raw(bytes: ArrayLike<number>) { this.parts.push(...Array.from(bytes)); return this; }
  tag(index: number, type: number) { return this.varuint(index * 16 + type); }
  id(index: number, a: number, c: number) { return this.tag(index, 0xf).u8(a).varuint(c); }
  byte4(index: number, v: number) { return this.tag(index, 4).u32(v); }
  byte1(index: number, v: number) { return this.tag(index, 1).u8(v); }
  sub(index: number, body: Bytes) { return this.tag(index, 0xc).u32(body.parts.length).raw(body.parts); }
  bytes() { return Uint8Array.from(this.parts); }
}

export const b = () => new Bytes();

export function header(version = 6): Bytes {
  const h = `reMarkable .lines file, version=${version}`.padEnd(43, " ");
  return b().raw([...Buffer.from(h, "latin1")]);
}

export function block(type: number, body: Bytes, version = 2): Bytes {
  return b().u32(body.parts.length).u8(0).u8(1).u8(version).u8(type).raw(body.parts);
}

export function page(...blocks: Bytes[]): Uint8Array {
  const out = header();
  for (const bl of blocks) out.raw(bl.parts);
  return out.bytes();
}

export function sceneTree(treeA: number, treeC: number, parentA = 0, parentC = 1): Bytes {
  return block(0x01, b().id(1, treeA, treeC).id(2, 0, 0).byte1(3, 1).sub(4, b().id(1, parentA, parentC)), 1);
}

export function groupItem(parent: [number, number], id: [number, number], left: [number, number], right: [number, number], node: [number, number]): Bytes {
  return block(0x04, b().id(1, ...parent).id(2, ...id).id(3, ...left).id(4, ...right).byte4(5, 0).sub(6, b().u8(2).id(2, ...node)), 1);
}

export function point14(x: number, y: number, width = 8, pressure = 200): Bytes {
  return b().f32(x).f32(y).u16(0).u16(width).u8(0).u8(pressure);
}

export function lineItem(parent: [number, number], id: [number, number], left: [number, number], right: [number, number], opts: { tool?: number; color?: number; points?: Bytes[]; extra?: Bytes; deleted?: number } = {}): Bytes {
  const env = b().id(1, ...parent).id(2, ...id).id(3, ...left).id(4, ...right).byte4(5, opts.deleted ?? 0);
  if (opts.deleted) return block(0x05, env);
  const pts = b();
  for (const p of opts.points ?? [point14(0, 0), point14(10, 10)]) pts.raw(p.parts);
  const value = b().u8(3).byte4(1, opts.tool ?? 15).byte4(2, opts.color ?? 0).tag(3, 8).f64(2).tag(4, 4).f32(0).sub(5, pts).id(6, 0, 1);
  if (opts.extra) value.raw(opts.extra.parts);
  return block(0x05, env.sub(6, value));
}

export function str(text: string, format?: number): Bytes {
  const bytes = Buffer.from(text, "utf8");
  const s = b().varuint(bytes.length).u8(1).raw([...bytes]);
  if (format !== undefined) s.byte4(2, format);
  return s;
}

export interface TextRun { id: [number, number]; left: [number, number]; right: [number, number]; text?: string; deleted?: number; format?: number }

export function rootText(runs: TextRun[], styles: Array<{ char: [number, number]; style: number }> = []): Bytes {
  const items = b().varuint(runs.length);
  for (const r of runs) {
    const it = b().id(2, ...r.id).id(3, ...r.left).id(4, ...r.right).byte4(5, r.deleted ?? 0);
    if (r.text !== undefined || r.format !== undefined) it.sub(6, str(r.text ?? "", r.format));
    items.sub(0, it);
  }
  const st = b().varuint(styles.length);
  for (const s of styles) st.u8(s.char[0]).varuint(s.char[1]).id(1, 1, 1).sub(2, b().u8(17).u8(s.style));
  const doc = b().sub(1, b().sub(1, items)).sub(2, b().sub(1, st));
  return block(0x07, b().id(1, 0, 0).sub(2, doc).sub(3, b().f64(-468).f64(234)).tag(4, 4).f32(936), 1);
}

export interface GlyphOpts {
  start?: number;
  length?: number;
  color?: number;
  argb?: number;
  text: string;
  /** One rectangle per text line (x centred like strokes). */
  rects: Array<[number, number, number, number]>;
}

/** A glyph-range highlight (block 0x03, rm-format.md §5.9) in group `parent`. */
export function glyphItem(parent: [number, number], id: [number, number], left: [number, number], right: [number, number], o: GlyphOpts): Bytes {
  const rects = b().varuint(o.rects.length);
  for (const [x, y, w, h] of o.rects) rects.f64(x).f64(y).f64(w).f64(h);
  const value = b().u8(1);
  if (o.start !== undefined) value.byte4(2, o.start);
  if (o.length !== undefined) value.byte4(3, o.length);
  value.byte4(4, o.color ?? 3).sub(5, str(o.text)).sub(6, rects);
  if (o.argb !== undefined) value.byte4(10, o.argb);
  const env = b().id(1, ...parent).id(2, ...id).id(3, ...left).id(4, ...right).byte4(5, 0).sub(6, value);
  return block(0x03, env, 1);
}
