// Builds synthetic v3/v5 page bytes for tests (little-endian, layout of rm-format.md §4.2).

export interface FakeStroke {
  tool?: number;
  color?: number;
  thickness?: number;
  extra?: number;
  points?: number[][]; // [x, y, speed, direction, width, pressure]
}

export function rmHeader(version: number): Uint8Array {
  return new TextEncoder().encode(`reMarkable .lines file, version=${version}`.padEnd(43, " "));
}

export function buildV3V5(version: 3 | 5, layers: FakeStroke[][]): Uint8Array {
  const out: number[] = [...rmHeader(version)];
  const i32 = (v: number) => pushBytes(out, (dv) => dv.setInt32(0, v, true));
  const f32 = (v: number) => pushBytes(out, (dv) => dv.setFloat32(0, v, true));
  i32(layers.length);
  for (const strokes of layers) {
    i32(strokes.length);
    for (const s of strokes) {
      i32(s.tool ?? 17);
      i32(s.color ?? 0);
      i32(0);
      f32(s.thickness ?? 2);
      if (version === 5) f32(s.extra ?? 0);
      const points = s.points ?? [];
      i32(points.length);
      for (const p of points) for (let k = 0; k < 6; k++) f32(p[k] ?? 0);
    }
  }
  return new Uint8Array(out);
}

function pushBytes(out: number[], write: (dv: DataView) => void): void {
  const dv = new DataView(new ArrayBuffer(4));
  write(dv);
  out.push(...new Uint8Array(dv.buffer));
}

/** Overwrite an i32 at `offset` in a copy of `bytes`. */
export function withI32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setInt32(offset, value, true);
  return copy;
}
