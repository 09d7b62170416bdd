// A minimal TrueType reader and subsetter, for embedding the fonts typed text is laid out with in
// PDFs (pdf-lib embeds only the 14 standard fonts without the separate fontkit package). Written
// from the OpenType specification (table directory, head, hhea, maxp, hmtx, cmap formats 4/12,
// loca, glyf with composite glyphs). The subset keeps glyph ids (unused glyphs become empty), so a
// PDF can use CIDToGIDMap /Identity; only the tables a PDF viewer needs to draw are written.
// Pure: bytes in, bytes out. Throws TtfError on a font it cannot read (callers fall back).

export class TtfError extends Error {}

interface Table {
  offset: number;
  length: number;
}

export interface Ttf {
  unitsPerEm: number;
  numGlyphs: number;
  ascent: number;
  descent: number;
  bbox: [number, number, number, number];
  italicAngle: number;
  /** Glyph id for a code point (0 = .notdef: not in the font). */
  glyph(cp: number): number;
  /** Advance width of a glyph in font units. */
  advance(gid: number): number;
  /** A TrueType font with only these glyphs' outlines (and the components they use), same ids. */
  subset(gids: Iterable<number>): Uint8Array;
}

/** A (3,1) format-4 cmap with only the closing segment: the PDF maps glyphs by id (Identity). */
const EMPTY_CMAP = new Uint8Array([
  0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12, // version, one table: (3,1) at offset 12
  0, 4, 0, 24, 0, 0, 0, 2, 0, 2, 0, 0, 0, 0, // format 4, length 24, language, segCountX2 2, searchRange 2, selector 0, rangeShift 0
  0xff, 0xff, 0, 0, 0xff, 0xff, 0, 1, 0, 0, // endCode, pad, startCode, idDelta 1, idRangeOffset 0
]);

const KEEP = ["head", "hhea", "maxp", "hmtx", "cvt ", "fpgm", "prep"];

export function parseTtf(bytes: Uint8Array): Ttf {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (off: number, n: number) => {
    if (off < 0 || off + n > bytes.length) throw new TtfError("ttf: truncated");
  };
  need(0, 12);
  const version = dv.getUint32(0);
  if (version !== 0x00010000 && version !== 0x74727565) throw new TtfError("ttf: not a TrueType font");
  const numTables = dv.getUint16(4);
  need(12, numTables * 16);
  const tables = new Map<string, Table>();
  for (let i = 0; i < numTables; i++) {
    const o = 12 + i * 16;
    const tag = String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
    const t = { offset: dv.getUint32(o + 8), length: dv.getUint32(o + 12) };
    need(t.offset, t.length);
    tables.set(tag, t);
  }
  const tbl = (tag: string): Table => {
    const t = tables.get(tag);
    if (!t) throw new TtfError(`ttf: no ${tag.trim()} table`);
    return t;
  };
  const head = tbl("head");
  const hhea = tbl("hhea");
  const maxp = tbl("maxp");
  const hmtx = tbl("hmtx");
  const loca = tbl("loca");
  const glyf = tbl("glyf");
  const cmap = tbl("cmap");
  const unitsPerEm = dv.getUint16(head.offset + 18) || 1000;
  const bbox: [number, number, number, number] = [
    dv.getInt16(head.offset + 36),
    dv.getInt16(head.offset + 38),
    dv.getInt16(head.offset + 40),
    dv.getInt16(head.offset + 42),
  ];
  const longLoca = dv.getInt16(head.offset + 50) === 1;
  const numGlyphs = dv.getUint16(maxp.offset + 4);
  const numHMetrics = Math.max(1, dv.getUint16(hhea.offset + 34));
  need(hmtx.offset, numHMetrics * 4);
  const ascent = dv.getInt16(hhea.offset + 4);
  const descent = dv.getInt16(hhea.offset + 6);
  const post = tables.get("post");
  const italicAngle = post && post.length >= 8 ? dv.getInt32(post.offset + 4) / 65536 : 0;

  const glyphRange = (gid: number): [number, number] => {
    if (gid < 0 || gid >= numGlyphs) return [0, 0];
    const a = longLoca ? dv.getUint32(loca.offset + gid * 4) : dv.getUint16(loca.offset + gid * 2) * 2;
    const b = longLoca ? dv.getUint32(loca.offset + gid * 4 + 4) : dv.getUint16(loca.offset + gid * 2 + 2) * 2;
    if (b < a || b > glyf.length) throw new TtfError("ttf: bad loca");
    return [glyf.offset + a, b - a];
  };

  const lookup = readCmap(dv, cmap);

  return {
    unitsPerEm,
    numGlyphs,
    ascent,
    descent,
    bbox,
    italicAngle,
    glyph(cp) {
      const g = lookup(cp);
      return g > 0 && g < numGlyphs ? g : 0;
    },
    advance(gid) {
      const i = Math.min(Math.max(0, gid), numHMetrics - 1);
      return dv.getUint16(hmtx.offset + i * 4);
    },
    subset(gidsIn) {
      // Close over composite components.
      const keep = new Set<number>([0]);
      const stack = [...gidsIn].filter((g) => g >= 0 && g < numGlyphs);
      while (stack.length) {
        const g = stack.pop()!;
        if (keep.has(g) && g !== 0) continue;
        keep.add(g);
        const [off, len] = glyphRange(g);
        if (len < 10 || dv.getInt16(off) >= 0) continue;
        let p = off + 10;
        for (let guard = 0; guard < 64 && p + 4 <= off + len; guard++) {
          const flags = dv.getUint16(p);
          const comp = dv.getUint16(p + 2);
          if (!keep.has(comp) && comp < numGlyphs) stack.push(comp);
          p += 4 + (flags & 1 ? 4 : 2) + (flags & 8 ? 2 : flags & 0x40 ? 4 : flags & 0x80 ? 8 : 0);
          if (!(flags & 0x20)) break;
        }
      }
      // New glyf and (long) loca: glyphs not kept are empty.
      const parts: Uint8Array[] = [];
      const newLoca = new DataView(new ArrayBuffer((numGlyphs + 1) * 4));
      let pos = 0;
      for (let g = 0; g < numGlyphs; g++) {
        newLoca.setUint32(g * 4, pos);
        if (!keep.has(g)) continue;
        const [off, len] = glyphRange(g);
        if (!len) continue;
        const padded = (len + 3) & ~3;
        const chunk = new Uint8Array(padded);
        chunk.set(bytes.subarray(off, off + len));
        parts.push(chunk);
        pos += padded;
      }
      newLoca.setUint32(numGlyphs * 4, pos);
      const glyfBytes = concatBytes(parts, pos);
      const out: Array<[string, Uint8Array]> = [];
      for (const tag of KEEP) {
        const t = tables.get(tag);
        if (!t) continue;
        let data = bytes.slice(t.offset, t.offset + t.length);
        if (tag === "head") {
          const h = new DataView(data.buffer);
          h.setUint32(8, 0); // checkSumAdjustment, recomputed below
          h.setInt16(50, 1); // long loca
        }
        out.push([tag, data]);
      }
      out.push(["glyf", glyfBytes], ["loca", new Uint8Array(newLoca.buffer)], ["cmap", EMPTY_CMAP]);
      return writeTtf(out);
    },
  };
}

function readCmap(dv: DataView, cmap: Table): (cp: number) => number {
  const n = dv.getUint16(cmap.offset + 2);
  let best: { offset: number; format: number; rank: number } | null = null;
  for (let i = 0; i < n; i++) {
    const o = cmap.offset + 4 + i * 8;
    if (o + 8 > cmap.offset + cmap.length) break;
    const platform = dv.getUint16(o);
    const encoding = dv.getUint16(o + 2);
    const sub = cmap.offset + dv.getUint32(o + 4);
    if (sub + 2 > dv.byteLength) continue;
    const format = dv.getUint16(sub);
    const rank = format === 12 && (platform === 3 || platform === 0) ? 3 : format === 4 && ((platform === 3 && encoding === 1) || platform === 0) ? 2 : 0;
    if (rank && (!best || rank > best.rank)) best = { offset: sub, format, rank };
  }
  if (!best) throw new TtfError("ttf: no Unicode cmap");
  const s = best.offset;
  if (best.format === 12) {
    const groups = dv.getUint32(s + 12);
    return (cp) => {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = s + 16 + mid * 12;
        const start = dv.getUint32(g);
        const end = dv.getUint32(g + 4);
        if (cp < start) hi = mid - 1;
        else if (cp > end) lo = mid + 1;
        else return dv.getUint32(g + 8) + (cp - start);
      }
      return 0;
    };
  }
  const segX2 = dv.getUint16(s + 6);
  const ends = s + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const ranges = deltas + segX2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let i = 0; i < segX2; i += 2) {
      if (dv.getUint16(ends + i) < cp) continue;
      const start = dv.getUint16(starts + i);
      if (cp < start) return 0;
      const delta = dv.getInt16(deltas + i);
      const ro = dv.getUint16(ranges + i);
      if (ro === 0) return (cp + delta) & 0xffff;
      const at = ranges + i + ro + (cp - start) * 2;
      if (at + 2 > dv.byteLength) return 0;
      const g = dv.getUint16(at);
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
}

function concatBytes(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function checksum(data: Uint8Array): number {
  let sum = 0;
  const padded = (data.length + 3) & ~3;
  for (let i = 0; i < padded; i += 4) {
    const v = ((data[i] ?? 0) << 24) | ((data[i + 1] ?? 0) << 16) | ((data[i + 2] ?? 0) << 8) | (data[i + 3] ?? 0);
    sum = (sum + (v >>> 0)) >>> 0;
  }
  return sum;
}

function writeTtf(tables: Array<[string, Uint8Array]>): Uint8Array {
  tables.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const n = tables.length;
  let pos = 12 + n * 16;
  const offsets: number[] = [];
  for (const [, d] of tables) {
    offsets.push(pos);
    pos += (d.length + 3) & ~3;
  }
  const out = new Uint8Array(pos);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x00010000);
  dv.setUint16(4, n);
  let es = 0;
  while (2 ** (es + 1) <= n) es++;
  dv.setUint16(6, 2 ** es * 16);
  dv.setUint16(8, es);
  dv.setUint16(10, n * 16 - 2 ** es * 16);
  let headAt = -1;
  tables.forEach(([tag, d], i) => {
    const o = 12 + i * 16;
    for (let k = 0; k < 4; k++) out[o + k] = tag.charCodeAt(k);
    dv.setUint32(o + 4, checksum(d));
    dv.setUint32(o + 8, offsets[i]!);
    dv.setUint32(o + 12, d.length);
    out.set(d, offsets[i]!);
    if (tag === "head") headAt = offsets[i]!;
  });
  if (headAt >= 0) dv.setUint32(headAt + 8, (0xb1b0afba - checksum(out)) >>> 0);
  return out;
}
