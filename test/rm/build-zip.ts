// A tiny zip writer for tests that need archives no normal tool would write: unsafe names,
// lying sizes, zip64 records. CRCs are left at 0 (the reader does not check them).
import { deflateSync } from "fflate";

export interface RawEntry {
  name: string;
  data: Uint8Array | string;
  deflate?: boolean;
  /** Override the declared uncompressed size in the central directory. */
  declaredSize?: number;
  /** Already-deflated data (method 8) standing for `declaredSize` bytes: `data` is then ignored. */
  compressed?: Uint8Array;
}

export function buildZip(entries: RawEntry[], opts: { declaredCount?: number } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = typeof e.data === "string" ? new TextEncoder().encode(e.data) : e.data;
    const stored = e.compressed ?? (e.deflate ? deflateSync(raw) : raw);
    const deflated = !!e.compressed || !!e.deflate;
    const name = new TextEncoder().encode(e.name);
    const size = e.declaredSize ?? raw.length;
    const local = header(30, (dv) => {
      dv.setUint32(0, 0x04034b50, true);
      dv.setUint16(4, 20, true);
      dv.setUint16(8, deflated ? 8 : 0, true);
      dv.setUint32(18, stored.length, true);
      dv.setUint32(22, size, true);
      dv.setUint16(26, name.length, true);
    });
    parts.push(local, name, stored);
    central.push(
      header(46, (dv) => {
        dv.setUint32(0, 0x02014b50, true);
        dv.setUint16(4, 20, true);
        dv.setUint16(6, 20, true);
        dv.setUint16(10, deflated ? 8 : 0, true);
        dv.setUint32(20, stored.length, true);
        dv.setUint32(24, size, true);
        dv.setUint16(28, name.length, true);
        dv.setUint32(42, offset, true);
      }),
      name,
    );
    offset += local.length + name.length + stored.length;
  }
  const centralSize = central.reduce((n, c) => n + c.length, 0);
  const count = opts.declaredCount ?? entries.length;
  const eocd = header(22, (dv) => {
    dv.setUint32(0, 0x06054b50, true);
    dv.setUint16(8, Math.min(count, 0xffff), true);
    dv.setUint16(10, Math.min(count, 0xffff), true);
    dv.setUint32(12, centralSize, true);
    dv.setUint32(16, offset, true);
  });
  return concat([...parts, ...central, eocd]);
}

/** An archive whose zip64 end record declares `count` entries (and holds none). */
export function buildZip64WithCount(count: number): Uint8Array {
  const record = header(56, (dv) => {
    dv.setUint32(0, 0x06064b50, true);
    dv.setBigUint64(4, 44n, true);
    dv.setBigUint64(24, BigInt(count), true);
    dv.setBigUint64(32, BigInt(count), true);
    dv.setBigUint64(40, 0n, true);
    dv.setBigUint64(48, 0n, true);
  });
  const locator = header(20, (dv) => {
    dv.setUint32(0, 0x07064b50, true);
    dv.setBigUint64(8, 0n, true);
    dv.setUint32(16, 1, true);
  });
  const eocd = header(22, (dv) => {
    dv.setUint32(0, 0x06054b50, true);
    dv.setUint16(8, 0xffff, true);
    dv.setUint16(10, 0xffff, true);
    dv.setUint32(12, 0xffffffff, true);
    dv.setUint32(16, 0xffffffff, true);
  });
  return concat([record, locator, eocd]);
}

function header(size: number, fill: (dv: DataView) => void): Uint8Array {
  const b = new Uint8Array(size);
  fill(new DataView(b.buffer));
  return b;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
